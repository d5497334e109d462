"""Models that adaptive attacks take gradients through (Athalye, Carlini & Wagner, ICML 2018).

Each wraps the deployed model without changing what it predicts; only what a gradient attack
sees differs:

- :class:`LogitScale`: ``model(x) / T``, so a cross-entropy attack sees through a saturated
  softmax (Carlini & Wagner 2016, on defensive distillation);
- :func:`bpda`: every input-transform defense in the model runs forward as deployed and
  backward as the identity (BPDA with the identity as the differentiable approximation);
- :class:`EOT`: the log of the average probability over ``draws`` passes of a randomised
  model, whose gradient is the expectation over its randomness (EOT).

Imported only when a pipeline escalates (it imports torch).
"""

from __future__ import annotations

import copy
import math

import torch
from torch import nn

from robustkit.wrappers import InputTransformModel


class LogitScale(nn.Module):
    """``model(x) / temperature``: same arg-max, a softmax that no longer saturates."""

    def __init__(self, model: nn.Module, temperature: float):
        super().__init__()
        if not temperature > 0:
            raise ValueError(f"temperature must be > 0, got {temperature}")
        self.model = model
        self.temperature = float(temperature)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.model(x) / self.temperature


def unsaturating_temperature(model: nn.Module, x: torch.Tensor, target_margin: float = 10.0
                             ) -> float:
    """A temperature that brings the median top-2 logit margin on ``x`` to ``target_margin``.

    At a margin of 10 the runner-up's probability is ~e^-10: far from float32 underflow, so
    the cross-entropy gradient is informative. Never below 1 (that would sharpen the softmax).
    """
    with torch.no_grad():
        out = model(x).float()
    if out.dim() != 2 or out.shape[1] < 2:
        return 1.0
    top2 = out.topk(2, dim=1).values
    margin = float((top2[:, 0] - top2[:, 1]).median())
    if not math.isfinite(margin):
        return 1.0
    return max(1.0, margin / target_margin)


class _StraightThrough(torch.autograd.Function):
    """Forward: the transform's output; backward: the identity (BPDA)."""

    @staticmethod
    def forward(ctx, x: torch.Tensor, transformed: torch.Tensor) -> torch.Tensor:  # noqa: ANN001
        return transformed.clone()

    @staticmethod
    def backward(ctx, grad: torch.Tensor) -> tuple[torch.Tensor, None]:  # noqa: ANN001
        return grad, None


class BPDATransformModel(InputTransformModel):
    """``model(transform(x))`` forward, with the transform's Jacobian taken as the identity."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        with torch.no_grad():
            t = self.transform(x.detach())
        return self.model(_StraightThrough.apply(x, t.to(x.dtype)))


def has_input_transform(model: nn.Module) -> bool:
    return any(isinstance(m, InputTransformModel) for m in model.modules())


def bpda(model: nn.Module) -> nn.Module:
    """``model`` with every :class:`InputTransformModel` replaced by its BPDA twin.

    Modules on the way are shallow copies with their own child dict, so the deployed model
    (and its parameters, which are shared, not copied) is left as it was.
    """
    if isinstance(model, InputTransformModel):
        return BPDATransformModel(model.transform, bpda(model.model))
    if not any(isinstance(m, InputTransformModel) for m in model.modules()):
        return model
    twin = copy.copy(model)
    twin._modules = {name: (bpda(child) if child is not None else None)
                     for name, child in model._modules.items()}
    return twin


class EOT(nn.Module):
    """Expectation over transformation: ``log mean_k softmax(model(x))`` over ``draws`` passes.

    The passes run as one batch of ``draws * N`` inputs, so a defense that draws its
    randomness per input (noise, random resizing) draws it independently for each copy.
    """

    def __init__(self, model: nn.Module, draws: int = 16):
        super().__init__()
        if draws < 1:
            raise ValueError(f"draws must be >= 1, got {draws}")
        self.model = model
        self.draws = int(draws)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        n = x.shape[0]
        out = self.model(x.repeat(self.draws, *([1] * (x.dim() - 1))))
        logp = torch.log_softmax(out.float(), dim=-1).view(self.draws, n, -1)
        return torch.logsumexp(logp, dim=0) - math.log(self.draws)


def is_randomised(model: nn.Module, x: torch.Tensor, tries: int = 2) -> bool:
    """Whether two passes of ``model`` on the same inputs disagree (a randomised defense)."""
    with torch.no_grad():
        first = model(x)
        for _ in range(tries - 1):
            if not torch.allclose(model(x), first, rtol=1e-5, atol=1e-6):
                return True
    return False
