"""A self-contained plugin for kernel tests, so they need no first-party plugin installed."""

from __future__ import annotations

import torch
from pydantic import Field
from torch import nn

from robustkit import DataInfo, Modality, Params, Task, Threat, hookimpl
from robustkit.data import DataBundle


class ToyDataParams(Params):
    n: int = Field(200, ge=10, le=100_000, description="samples")


class ToyData:
    """Two linearly separable classes in 4 dimensions, seeded."""

    def __init__(self, params: ToyDataParams):
        self.n = params.n

    def load(self, seed: int) -> DataBundle:
        gen = torch.Generator().manual_seed(seed)
        y = torch.randint(0, 2, (self.n,), generator=gen)
        x = (torch.rand(self.n, 4, generator=gen) * 0.5 + y[:, None] * 0.5).clamp(0, 1)
        cut = self.n * 3 // 4
        info = DataInfo(Task.CLASSIFICATION, Modality.VECTOR, (4,), (0.0, 1.0), 2)
        return DataBundle(x[:cut], y[:cut], x[cut:], y[cut:], info)


class LinearBuilder:
    def __init__(self, params):
        pass

    def build(self, info: DataInfo) -> nn.Module:
        return nn.Sequential(nn.Flatten(), nn.Linear(info.input_shape[0], info.output_size))


class ShiftParams(Params):
    amount: float = Field(0.1, ge=0, le=1, description="added to every input")


class Shift:
    def __init__(self, params: ShiftParams):
        self.amount = params.amount

    def perturb(self, x, y, ctx):
        lo, hi = ctx.info.bounds
        return (x + self.amount).clamp(lo, hi)


class FlipLabels:
    def __init__(self, params):
        pass

    def perturb(self, x, y, ctx):
        return 1 - y


class GradSign:
    """A one-step gradient attack, enough to exercise the needs='gradients' path."""

    def __init__(self, params: ShiftParams):
        self.eps = params.amount

    def perturb(self, x, y, ctx):
        x = x.clone().requires_grad_(True)
        loss = nn.functional.cross_entropy(ctx.model(x), y)
        (g,) = torch.autograd.grad(loss, x)
        return (x + self.eps * g.sign()).clamp(*ctx.info.bounds).detach()


class Rounding:
    """A non-differentiable input transform."""

    def __init__(self, params):
        pass

    def transform(self, x):
        return torch.round(x * 4) / 4


class Accuracy:
    def __init__(self, params):
        pass

    def compute(self, ev):
        if len(ev) == 0:
            return float("nan")
        return float((ev.outputs.argmax(-1) == ev.y_true).float().mean())


@hookimpl
def robustkit_register_datasets(register):
    register.dataset("toy", ToyData, params=ToyDataParams, task="classification", modality="vector")


@hookimpl
def robustkit_register_models(register):
    register.model("linear", LinearBuilder, tasks=["classification"], modalities=["vector"])
    register.model("saturated-linear", "toy_plugin:SaturatedBuilder", tasks=["classification"],
                   modalities=["vector"])
    register.model("nan-linear", "toy_plugin:NaNGradBuilder", tasks=["classification"],
                   modalities=["vector"])


@hookimpl
def robustkit_register_perturbations(register):
    register.perturbation("shift", Shift, params=ShiftParams, needs="nothing", strength="amount",
                          targets=["test-inputs", "train-inputs"], tasks=["classification"])
    register.perturbation("flip-labels", FlipLabels, needs="nothing", targets=["train-labels"],
                          tasks=["classification"])
    register.perturbation("grad-sign", GradSign, params=ShiftParams, needs="gradients",
                          strength="amount", targets=["test-inputs"], tasks=["classification"],
                          threat=Threat(iterative=False))
    register.perturbation("toy-pgd", "toy_plugin:ToyPGD", params=PGDParams, needs="gradients",
                          strength="eps", targets=["test-inputs"], tasks=["classification"],
                          threat=Threat(norm="linf", iterative=True))
    register.perturbation("do-nothing", "toy_plugin:DoNothingAttack", params=PGDParams,
                          needs="gradients", strength="eps", targets=["test-inputs"],
                          tasks=["classification"], threat=Threat(norm="linf", iterative=True))


@hookimpl
def robustkit_register_defenses(register):
    register.input_transform("rounding", Rounding, differentiable=False,
                             tasks=["classification"])


@hookimpl
def robustkit_register_metrics(register):
    register.metric("acc", Accuracy, tasks=["classification"])


class PGDParams(Params):
    eps: float = Field(0.2, ge=0, le=1, description="L-inf budget")
    steps: int = Field(5, ge=1, le=1000, description="iterations")
    step_ratio: float = Field(0.5, gt=0, le=2, description="step size as a share of eps")


class ToyPGD:
    """L-inf PGD on the cross-entropy, no random start."""

    def __init__(self, params: PGDParams):
        self.p = params

    def perturb(self, x, y, ctx):
        lo, hi = ctx.info.bounds
        x0 = x.detach()
        adv = x0.clone()
        for _ in range(self.p.steps):
            adv.requires_grad_(True)
            loss = nn.functional.cross_entropy(ctx.model(adv), y)
            (g,) = torch.autograd.grad(loss, adv)
            adv = adv.detach() + self.p.eps * self.p.step_ratio * g.sign()
            adv = torch.min(torch.max(adv, x0 - self.p.eps), x0 + self.p.eps).clamp(lo, hi)
        return adv.detach()


class DoNothingAttack:
    """A 'white-box attack' that returns its input: what a broken attack looks like."""

    def __init__(self, params: PGDParams):
        pass

    def perturb(self, x, y, ctx):
        return x.clone()


class Saturated(nn.Module):
    """Logits scaled by 1e4: softmax saturates, so input gradients are exactly zero."""

    def __init__(self, inner: nn.Module):
        super().__init__()
        self.inner = inner

    def forward(self, x):
        return self.inner(x) * 1e4


class SaturatedBuilder(LinearBuilder):
    def build(self, info):
        return Saturated(super().build(info))


class NaNGrad(nn.Module):
    def __init__(self, inner: nn.Module):
        super().__init__()
        self.inner = inner

    def forward(self, x):
        return self.inner(x + torch.sqrt(x - x))  # d/dx sqrt(0) = inf; times 0 gives NaN


class NaNGradBuilder(LinearBuilder):
    def build(self, info):
        return NaNGrad(super().build(info))
