"""Perturbations of input windows (N x T x F): noise at an SNR, impulsive outliers, drift,
missing stretches, and an L-inf gradient attack with the MSE loss of regression.

Feature scales (for SNR and "in standard deviations") are measured on the windows being
perturbed, per feature, so the same setting means the same relative strength on any data set.
Every result is clipped to ``ctx.info.bounds``; all randomness comes from ``ctx.generator``.

The gradient attack runs on robustkit-attacks' public engine (``run_attack``) with the
forecast's summed squared error as a custom loss: the engine's projection, random start and
no-gradient check serve forecasting too, and only the loss is this plugin's.
"""

from __future__ import annotations

import torch

from robustkit.data import PerturbContext
from robustkit.errors import DataError
from robustkit_timeseries.params import (
    TSDriftParams,
    TSFGSMParams,
    TSGradientParams,
    TSMissingParams,
    TSNoiseParams,
    TSOutliersParams,
)


def _check(x: torch.Tensor, what: str) -> None:
    if x.dim() != 3:
        raise DataError(f"{what} perturbs windows of shape (N, T, F); got {tuple(x.shape)}")


def _feature_std(x: torch.Tensor) -> torch.Tensor:
    return x.std(dim=(0, 1), keepdim=True).clamp_min(1e-12)


def _clip(x: torch.Tensor, ctx: PerturbContext) -> torch.Tensor:
    lo, hi = ctx.info.bounds
    return x.clamp(lo, hi)


def _randn(shape, ctx: PerturbContext, like: torch.Tensor) -> torch.Tensor:
    return torch.randn(shape, generator=ctx.generator).to(like.device, like.dtype)


def _rand(shape, ctx: PerturbContext, like: torch.Tensor) -> torch.Tensor:
    return torch.rand(shape, generator=ctx.generator).to(like.device, like.dtype)


class TSNoise:
    """Gaussian noise of power var(feature) / 10^(snr_db / 10)."""

    def __init__(self, params: TSNoiseParams):
        self.params = params

    def perturb(self, x, y, ctx: PerturbContext):
        _check(x, "ts-noise")
        var = x.var(dim=(0, 1), keepdim=True)
        std = (var / 10.0 ** (self.params.snr_db / 10.0)).sqrt()
        return _clip(x + _randn(x.shape, ctx, x) * std, ctx)


class TSOutliers:
    """A share ``rate`` of values jumps by +-``magnitude`` feature standard deviations."""

    def __init__(self, params: TSOutliersParams):
        self.params = params

    def perturb(self, x, y, ctx: PerturbContext):
        _check(x, "ts-outliers")
        hit = _rand(x.shape, ctx, x) < self.params.rate
        sign = torch.where(_rand(x.shape, ctx, x) < 0.5, -1.0, 1.0).to(x.dtype)
        jump = sign * self.params.magnitude * _feature_std(x)
        return _clip(torch.where(hit, x + jump, x), ctx)


class TSDrift:
    """A ramp over each window, from 0 to ``amount`` feature standard deviations, with a
    random sign per window (a slowly drifting sensor offset)."""

    def __init__(self, params: TSDriftParams):
        self.params = params

    def perturb(self, x, y, ctx: PerturbContext):
        _check(x, "ts-drift")
        n, t, _ = x.shape
        ramp = torch.linspace(0.0, 1.0, t, dtype=x.dtype, device=x.device).view(1, t, 1)
        sign = torch.where(_rand((n, 1, 1), ctx, x) < 0.5, -1.0, 1.0).to(x.dtype)
        return _clip(x + sign * ramp * self.params.amount * _feature_std(x), ctx)


class TSMissing:
    """One contiguous stretch of ``fraction`` of each window is lost and filled by the
    sensor: held at the last value before it, interpolated, or zero."""

    def __init__(self, params: TSMissingParams):
        self.params = params

    def perturb(self, x, y, ctx: PerturbContext):
        _check(x, "ts-missing")
        n, t, _ = x.shape
        length = int(round(self.params.fraction * t))
        if length == 0:
            return x.clone()
        starts = torch.randint(1, t - length + 1, (n,), generator=ctx.generator) \
            if t - length >= 1 else torch.zeros(n, dtype=torch.int64)
        out = x.clone()
        steps = torch.arange(t)
        for i in range(n):  # a loop: one stretch per window, windows are few and short
            s = int(starts[i])
            e = s + length
            if self.params.fill == "zero":
                out[i, s:e] = 0.0
            elif self.params.fill == "hold" or e >= t or s == 0:
                out[i, s:e] = x[i, max(s - 1, 0)]
            else:  # linear between the values either side of the stretch
                w = ((steps[s:e] - (s - 1)) / (e - (s - 1))).to(x.dtype).view(-1, 1)
                out[i, s:e] = (1 - w) * x[i, s - 1] + w * x[i, e]
        return _clip(out, ctx)


class TSGradient:
    """L-inf PGD (Madry et al. 2018) on the windows, maximising the squared error to the
    targets; with one step it is FGSM (Goodfellow et al. 2015)."""

    def __init__(self, params: TSGradientParams | TSFGSMParams):
        self.eps = params.eps
        self.steps = getattr(params, "steps", 1)
        alpha = getattr(params, "alpha", None)
        self.alpha = alpha if alpha is not None else (
            self.eps if self.steps == 1 else 2.5 * self.eps / self.steps)
        self.random_start = getattr(params, "random_start", False) and self.steps > 1

    def perturb(self, x, y, ctx: PerturbContext):
        from robustkit_attacks.engine import AttackConfig, run_attack

        _check(x, "ts-pgd")
        if not isinstance(ctx.model, torch.nn.Module):
            raise DataError("ts-pgd needs the model's gradients (needs='gradients')")
        if self.eps == 0:
            return x.clone()
        cfg = AttackConfig(eps=self.eps, alpha=self.alpha, steps=self.steps,
                           random_start=self.random_start, bounds=ctx.info.bounds,
                           loss=squared_error, success=never_won)
        target = y.to(x.dtype).reshape(x.shape[0], -1)
        return run_attack(ctx.model, x, target, cfg, ctx.generator).x_adv


def squared_error(outputs: torch.Tensor, targets: torch.Tensor, *, targeted: bool = False,
                  true: torch.Tensor | None = None) -> torch.Tensor:
    """Per-window summed squared error of the forecast: the loss the attack increases."""
    return (outputs.reshape(targets.shape[0], -1) - targets).pow(2).sum(dim=1)


def never_won(outputs: torch.Tensor, targets: torch.Tensor, targeted: bool) -> torch.Tensor:
    """A forecast has no misclassification to stop at: every step runs."""
    return torch.zeros(targets.shape[0], dtype=torch.bool, device=targets.device)
