"""Label-noise perturbations of training labels. All randomness comes from ``ctx.generator``.

Each draws exactly ``round(rate * n)`` samples to corrupt (symmetric, pair-flip) so the
realised noise rate is the requested one, not a binomial draw around it.
"""

from __future__ import annotations

import math

import torch

from robustkit.data import PerturbContext
from robustkit.errors import DataError
from robustkit_label_noise.params import AsymmetricParams, InstanceParams, SymmetricParams


def _checked_classes(y: torch.Tensor, ctx: PerturbContext, who: str) -> int:
    classes = ctx.info.num_classes
    if not classes or classes < 2:
        raise DataError(f"{who}: needs a classification data set with >= 2 classes "
                        f"(DataInfo.num_classes is {classes})")
    if y.dim() != 1 or y.is_floating_point():
        raise DataError(f"{who}: expects a 1-D integer label tensor, got {tuple(y.shape)} "
                        f"{y.dtype}")
    if y.numel() and (int(y.min()) < 0 or int(y.max()) >= classes):
        raise DataError(f"{who}: labels span [{int(y.min())}, {int(y.max())}] but there are "
                        f"{classes} classes")
    return classes


def _chosen(n: int, rate: float, gen: torch.Generator) -> torch.Tensor:
    """Indices of exactly round(rate * n) distinct samples."""
    k = int(round(rate * n))
    return torch.randperm(n, generator=gen)[:k]


class SymmetricNoise:
    """A chosen label moves to one of the *other* classes, uniformly (the labels that change
    are exactly ``rate`` of them; at rate 0.8 with 10 classes the true class keeps 20% of
    the labels and each wrong class gets about 8.9%)."""

    def __init__(self, params: SymmetricParams):
        self.rate = params.rate

    def perturb(self, x: torch.Tensor, y: torch.Tensor, ctx: PerturbContext) -> torch.Tensor:
        classes = _checked_classes(y, ctx, "symmetric-label-noise")
        out = y.clone().cpu()
        idx = _chosen(out.numel(), self.rate, ctx.generator)
        # an offset in 1..C-1 never maps a label to itself
        offset = torch.randint(1, classes, (idx.numel(),), generator=ctx.generator)
        out[idx] = (out[idx] + offset) % classes
        return out.to(y.device)


class AsymmetricNoise:
    """Class-pair flips: a chosen label of class c becomes (c + shift) mod C."""

    def __init__(self, params: AsymmetricParams):
        self.rate = params.rate
        self.shift = params.shift

    def perturb(self, x: torch.Tensor, y: torch.Tensor, ctx: PerturbContext) -> torch.Tensor:
        classes = _checked_classes(y, ctx, "asymmetric-label-noise")
        if self.shift % classes == 0:
            raise DataError(f"asymmetric-label-noise: shift {self.shift} is a multiple of the "
                            f"{classes} classes and would change no label; use 1..{classes - 1}")
        out = y.clone().cpu()
        idx = _chosen(out.numel(), self.rate, ctx.generator)
        out[idx] = (out[idx] + self.shift) % classes
        return out.to(y.device)


class InstanceNoise:
    """Instance-dependent noise after Xia et al. (2020), "Part-dependent label noise".

    Each sample gets its own flip rate q_i ~ N(rate, spread^2) truncated to [0, 1]; a random
    projection W of its (flattened) input scores the wrong classes, so similar inputs are
    mislabelled alike: p(ỹ = k | x) = q_i softmax_k(x W) over k != y, and 1 - q_i for y.
    """

    def __init__(self, params: InstanceParams):
        self.rate = params.rate
        self.spread = params.spread

    def perturb(self, x: torch.Tensor, y: torch.Tensor, ctx: PerturbContext) -> torch.Tensor:
        classes = _checked_classes(y, ctx, "instance-label-noise")
        gen = ctx.generator
        n = y.numel()
        feats = x.detach().reshape(n, -1).to("cpu", torch.float64)
        feats = feats / feats.norm(dim=1, keepdim=True).clamp_min(1e-12)
        q = self._flip_rates(n, gen)
        w = torch.randn(feats.shape[1], classes, generator=gen, dtype=torch.float64)
        scores = feats @ w * math.sqrt(feats.shape[1])  # O(1) logits whatever the input size
        labels = y.cpu()
        scores[torch.arange(n), labels] = -math.inf
        probs = torch.softmax(scores, dim=1) * q[:, None]
        probs[torch.arange(n), labels] = 1 - q
        out = torch.multinomial(probs, 1, generator=gen).squeeze(1)
        return out.to(y.device)

    def _flip_rates(self, n: int, gen: torch.Generator) -> torch.Tensor:
        if self.spread == 0:
            return torch.full((n,), self.rate, dtype=torch.float64)
        # truncation by resampling the out-of-range draws keeps the mean near `rate`
        q = torch.randn(n, generator=gen, dtype=torch.float64) * self.spread + self.rate
        for _ in range(100):
            bad = (q < 0) | (q > 1)
            if not bad.any():
                break
            q[bad] = torch.randn(int(bad.sum()), generator=gen,
                                 dtype=torch.float64) * self.spread + self.rate
        return q.clamp(0, 1)
