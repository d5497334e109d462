"""Components that misbehave in the ways a real run met: each passes registration (and most
pass every contract on their params) but breaks a run. The catalogue runs them through the CLI.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

import torch
from pydantic import Field

from robustkit import Params, hookimpl


class EpsParams(Params):
    eps: float = Field(0.1, ge=0, le=1, description="budget")


class InPlaceNoise:
    """Edits the clean inputs it is handed: x.add_(noise).clamp_(0, 1)."""

    def __init__(self, params: EpsParams):
        self.eps = params.eps

    def perturb(self, x, y, ctx):
        noise = torch.rand(x.shape, generator=ctx.generator) * self.eps
        return x.add_(noise).clamp_(*ctx.info.bounds)


class IntegerOutput:
    """Returns integer inputs (e.g. forgot to rescale quantised images)."""

    def __init__(self, params):
        pass

    def perturb(self, x, y, ctx):
        return (x * 255).round().to(torch.int64)


class WeightEditor:
    """A 'white-box attack' that takes an optimizer step on the model it attacks."""

    def __init__(self, params):
        pass

    def perturb(self, x, y, ctx):
        with torch.no_grad():
            for p in ctx.model.parameters():
                p.mul_(0.5)
        return x.clone()


class TrainMode:
    """A 'white-box attack' that switches the model to training mode and leaves it there."""

    def __init__(self, params):
        pass

    def perturb(self, x, y, ctx):
        ctx.model.train()
        return x.clone()


class Sleeper:
    """Writes a marker file, then takes long: a run to stop with a signal."""

    def __init__(self, params):
        pass

    def perturb(self, x, y, ctx):
        marker = os.environ.get("ROBUSTKIT_TEST_MARKER")
        if marker:
            Path(marker).write_text(str(os.getpid()))
        time.sleep(120)
        return x.clone()


class InPlaceLabelNoise:
    """A training-label perturbation that overwrites the labels it is handed."""

    def __init__(self, params):
        pass

    def perturb(self, x, y, ctx):
        y[:10] = 0
        return y


class FitInPlace:
    """An input transform whose fit() standardises the training data in place."""

    def __init__(self, params):
        pass

    def fit(self, data, ctx):
        data.x_train.sub_(data.x_train.mean())

    def transform(self, x):
        return x


class TextMetric:
    def __init__(self, params):
        pass

    def compute(self, ev):
        return "high"


class PairMetric:
    def __init__(self, params):
        pass

    def compute(self, ev):
        return torch.tensor([0.5, 0.7])


class MutatingMetric:
    def __init__(self, params):
        pass

    def compute(self, ev):
        ev.x_clean.zero_()
        return 0.0


class RaisingTransform:
    def __init__(self, params):
        pass

    def transform(self, x):
        raise RuntimeError("lookup table not fitted")


class MedianParams(Params):
    size: int = Field(2, ge=2, le=7, description="side of the median window")


class Median:
    """A median filter over the last axis whose padding is only right for odd windows: a
    window of 2 passes every params contract and still breaks a run."""

    def __init__(self, params: MedianParams):
        self.k = params.size

    def transform(self, x):
        padded = torch.nn.functional.pad(x, (self.k // 2, self.k // 2), mode="replicate")
        return padded.unfold(-1, self.k, 1).median(dim=-1).values


@hookimpl
def robustkit_register_perturbations(register):
    register.perturbation("inplace-noise", InPlaceNoise, needs="nothing", params=EpsParams,
                          strength="eps", summary="edits its input")
    register.perturbation("integer-output", IntegerOutput, needs="nothing",
                          summary="returns int64")
    register.perturbation("sleeper", Sleeper, needs="nothing", summary="sleeps")
    register.perturbation("inplace-label-noise", InPlaceLabelNoise, needs="nothing",
                          targets=["train-labels"], summary="overwrites labels in place")
    register.perturbation("weight-editor", WeightEditor, needs="gradients",
                          summary="edits the model")
    register.perturbation("train-mode", TrainMode, needs="gradients",
                          summary="calls model.train()")


@hookimpl
def robustkit_register_metrics(register):
    register.metric("text-metric", TextMetric, summary="returns text")
    register.metric("pair-metric", PairMetric, summary="returns two numbers")
    register.metric("mutating-metric", MutatingMetric, summary="zeroes x_clean")


@hookimpl
def robustkit_register_defenses(register):
    register.input_transform("raising-transform", RaisingTransform, summary="raises")
    register.input_transform("median-1d", Median, params=MedianParams,
                             summary="median over the last axis")
    register.input_transform("fit-in-place", FitInPlace,
                             summary="fit() edits the training data")
