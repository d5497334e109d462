"""Deliberately broken components (and one of each that keeps every contract) that the
contract tests must fail, each with a message saying what to fix."""

from __future__ import annotations

import math

import torch
from pydantic import BaseModel, Field
from torch import nn

from robustkit import DataInfo, Modality, Params, Task, hookimpl
from robustkit.data import DataBundle, make_generator


class NoiseParams(Params):
    sigma: float = Field(0.2, ge=0, le=1, description="noise scale")


class UnboundedParams(Params):
    sigma: float = Field(0.2, description="noise scale, but any value is accepted")
    steps: int = Field(3, description="also unbounded")


class LaxParams(BaseModel):  # not robustkit.Params: unknown keys pass silently
    sigma: float = Field(0.2, ge=0, le=1, description="noise scale")


class GoodNoise:
    def __init__(self, params):
        self.sigma = params.sigma

    def perturb(self, x, y, ctx):
        noise = torch.randn(x.shape, generator=ctx.generator).to(x.device)
        return (x + self.sigma * noise).clamp(*ctx.info.bounds)


class LeakyNoise(GoodNoise):
    """Forgets to clamp: leaves the data bounds."""

    def perturb(self, x, y, ctx):
        return x + self.sigma * torch.randn(x.shape, generator=ctx.generator)


class AssumesUnitBounds(GoodNoise):
    """Clamps to [0, 1] whatever the data's bounds are."""

    def perturb(self, x, y, ctx):
        return (x + self.sigma * torch.randn(x.shape, generator=ctx.generator)).clamp(0, 1)


class UnseededNoise(GoodNoise):
    """Draws from torch's global generator instead of ctx.generator."""

    def perturb(self, x, y, ctx):
        return (x + self.sigma * torch.randn(x.shape)).clamp(*ctx.info.bounds)


class FixedSeedNoise(GoodNoise):
    """Seeds itself with a constant, so every run draws the same noise."""

    def perturb(self, x, y, ctx):
        gen = torch.Generator().manual_seed(0)
        return (x + self.sigma * torch.randn(x.shape, generator=gen)).clamp(*ctx.info.bounds)


class InPlaceNoise(GoodNoise):
    def perturb(self, x, y, ctx):
        x += self.sigma * torch.randn(x.shape, generator=ctx.generator)
        return x.clamp_(*ctx.info.bounds)


class Squeeze:
    """A differentiable input transform (a smooth contraction towards the middle)."""

    def __init__(self, params):
        pass

    def transform(self, x):
        return 0.5 + 0.9 * (x - 0.5)


class RoundingSqueeze(Squeeze):
    """Bit-depth reduction: rounding has zero gradient everywhere."""

    def transform(self, x):
        return torch.round(x * 3) / 3


class ShapeBreakingWrapper:
    def __init__(self, params):
        pass

    def wrap(self, model, ctx):
        return nn.Sequential(model, nn.Linear(model[-1].out_features, 2))


class RandomWrapper:
    """Adds noise at inference from the global generator."""

    def __init__(self, params):
        pass

    def wrap(self, model, ctx):
        class Noisy(nn.Module):
            def __init__(self):
                super().__init__()
                self.inner = model

            def forward(self, x):
                return self.inner(x + 0.1 * torch.randn_like(x))

        return Noisy()


class GoodMetric:
    def __init__(self, params):
        pass

    def compute(self, ev):
        if len(ev) == 0:
            return math.nan
        return float((ev.outputs.argmax(-1) == ev.y_true).float().mean())


class CrashOnEmpty(GoodMetric):
    def compute(self, ev):
        return float((ev.outputs.argmax(-1) == ev.y_true).float().sum()) / len(ev)


class WrongWidth:
    def __init__(self, params):
        pass

    def build(self, info: DataInfo) -> nn.Module:
        return nn.Sequential(nn.Flatten(), nn.Linear(math.prod(info.input_shape), 3))


class UnseededData:
    def __init__(self, params):
        pass

    def load(self, seed: int) -> DataBundle:
        gen = make_generator(seed, "x")
        x = torch.rand((40, 3), generator=gen)
        order = torch.randperm(40)  # global generator: the split changes from run to run
        y = (x[:, 0] > 0.5).long()
        tr, te = order[:30], order[30:]
        info = DataInfo(Task.CLASSIFICATION, Modality.VECTOR, (3,), num_classes=2)
        return DataBundle(x[tr], y[tr], x[te], y[te], info)




@hookimpl
def robustkit_register_perturbations(register):
    common = dict(needs="nothing", targets=["test-inputs"], summary="test noise")
    register.perturbation("good-noise", GoodNoise, params=NoiseParams, strength="sigma", **common)
    register.perturbation("leaky-noise", LeakyNoise, params=NoiseParams, **common)
    register.perturbation("unit-bounds-noise", AssumesUnitBounds, params=NoiseParams, **common)
    register.perturbation("unseeded-noise", UnseededNoise, params=NoiseParams, **common)
    register.perturbation("fixed-seed-noise", FixedSeedNoise, params=NoiseParams, **common)
    register.perturbation("in-place-noise", InPlaceNoise, params=NoiseParams, **common)
    register.perturbation("unbounded-noise", GoodNoise, params=UnboundedParams, **common)
    register.perturbation("unbounded-leaky-noise", LeakyNoise, params=UnboundedParams, **common)
    register.perturbation("lax-noise", GoodNoise, params=LaxParams, **common)
    register.perturbation("no-summary-noise", GoodNoise, params=NoiseParams, needs="nothing")


@hookimpl
def robustkit_register_defenses(register):
    register.input_transform("good-squeeze", Squeeze, summary="smooth squeeze")
    register.input_transform("rounding-squeeze", RoundingSqueeze, summary="rounding")
    register.input_transform("rounding-squeeze-honest", RoundingSqueeze, differentiable=False,
                             summary="rounding, declared non-differentiable")
    register.model_wrapper("shape-breaker", ShapeBreakingWrapper, summary="bad shape")
    register.model_wrapper("random-wrapper", RandomWrapper, summary="global noise")


@hookimpl
def robustkit_register_metrics(register):
    register.metric("good-accuracy", GoodMetric, summary="accuracy")
    register.metric("crash-on-empty", CrashOnEmpty, summary="divides by the batch size")


@hookimpl
def robustkit_register_models(register):
    register.model("wrong-width", WrongWidth, summary="always 3 outputs")


@hookimpl
def robustkit_register_datasets(register):
    register.dataset("unseeded-data", UnseededData, task="classification", modality="vector",
                     summary="split drawn from the global generator")
