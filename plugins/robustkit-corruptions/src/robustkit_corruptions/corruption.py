"""The Corruption perturbation: checks the input, rescales to [0, 1], applies one op from
:mod:`robustkit_corruptions.ops`, clips, and maps back to the data bounds."""

from __future__ import annotations

import numpy as np
import torch

from robustkit.data import PerturbContext
from robustkit.errors import DataError
from robustkit_corruptions.ops import OPS
from robustkit_corruptions.params import SEVERITIES, CorruptionParams


class Corruption:
    def __init__(self, name: str, params: CorruptionParams):
        self.name = name
        self.severity = params.severity
        self.level = SEVERITIES[name][params.severity - 1]
        self.op = OPS[name]

    def perturb(self, x: torch.Tensor, y: torch.Tensor, ctx: PerturbContext) -> torch.Tensor:
        if x.dim() != 4:
            raise DataError(f"{self.name}: corrupts images of shape (N, C, H, W); got inputs of "
                            f"shape {tuple(x.shape)}. Use it with an image data set.")
        if not x.is_floating_point():
            raise DataError(f"{self.name}: needs floating-point inputs, got {x.dtype}")
        lo, hi = (float(b) for b in ctx.info.bounds)
        if not hi > lo:
            raise DataError(f"{self.name}: data bounds {ctx.info.bounds} are empty")
        # a NumPy generator seeded from the run's torch generator keeps runs repeatable
        seed = int(torch.randint(0, 2**62, (1,), generator=ctx.generator))
        rng = np.random.default_rng(seed)
        u = (x.detach().cpu().double().numpy() - lo) / (hi - lo)
        out = np.clip(self.op(np.clip(u, 0.0, 1.0), self.level, rng), 0.0, 1.0)
        return torch.from_numpy(out * (hi - lo) + lo).to(x.device, x.dtype).clamp(lo, hi)


def factory(name: str):
    """A factory for one named corruption (``register`` calls it with the params)."""

    def build(params: CorruptionParams) -> Corruption:
        return Corruption(name, params)

    return build


# module-level factories, so plugin.py can register lazy "module:attr" strings
gaussian_noise_c = factory("gaussian-noise-c")
shot_noise = factory("shot-noise")
impulse_noise = factory("impulse-noise")
gaussian_blur = factory("gaussian-blur")
motion_blur = factory("motion-blur")
brightness = factory("brightness")
contrast = factory("contrast")
illumination_gradient = factory("illumination-gradient")
jpeg = factory("jpeg")
fog = factory("fog")
