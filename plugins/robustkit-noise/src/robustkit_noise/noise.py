"""Noise perturbations. All randomness comes from ``ctx.generator``, so runs repeat exactly."""

from __future__ import annotations

import torch

from robustkit.data import PerturbContext
from robustkit_noise.params import (
    GAUSSIAN_SIGMA,
    SALT_PEPPER_FRACTION,
    UNIFORM_HALF_WIDTH,
    GaussianParams,
    SaltPepperParams,
    UniformParams,
)


def _draw(kind: str, x: torch.Tensor, gen: torch.Generator) -> torch.Tensor:
    # the generator lives on the CPU so results do not depend on the device
    if kind == "normal":
        noise = torch.randn(x.shape, generator=gen, dtype=x.dtype)
    else:
        noise = torch.rand(x.shape, generator=gen, dtype=x.dtype)
    return noise.to(x.device)


class GaussianNoise:
    def __init__(self, params: GaussianParams):
        self.sigma = params.sigma if params.sigma is not None else GAUSSIAN_SIGMA[
            params.severity - 1]

    def perturb(self, x: torch.Tensor, y: torch.Tensor, ctx: PerturbContext) -> torch.Tensor:
        lo, hi = ctx.info.bounds
        noise = _draw("normal", x, ctx.generator) * (self.sigma * (hi - lo))
        return (x + noise).clamp(lo, hi)


class UniformNoise:
    def __init__(self, params: UniformParams):
        self.width = params.half_width if params.half_width is not None else UNIFORM_HALF_WIDTH[
            params.severity - 1]

    def perturb(self, x: torch.Tensor, y: torch.Tensor, ctx: PerturbContext) -> torch.Tensor:
        lo, hi = ctx.info.bounds
        noise = (_draw("uniform", x, ctx.generator) * 2 - 1) * (self.width * (hi - lo))
        return (x + noise).clamp(lo, hi)


class SaltPepper:
    def __init__(self, params: SaltPepperParams):
        self.fraction = params.fraction if params.fraction is not None else SALT_PEPPER_FRACTION[
            params.severity - 1]

    def perturb(self, x: torch.Tensor, y: torch.Tensor, ctx: PerturbContext) -> torch.Tensor:
        lo, hi = ctx.info.bounds
        hit = _draw("uniform", x, ctx.generator) < self.fraction
        salt = _draw("uniform", x, ctx.generator) < 0.5
        out = x.clone()
        out[hit & salt] = hi
        out[hit & ~salt] = lo
        return out
