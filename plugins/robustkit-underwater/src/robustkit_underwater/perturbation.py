"""The underwater degradation as a robustkit perturbation."""

from __future__ import annotations

import torch

from robustkit import PerturbContext
from robustkit_underwater.params import WaterParams
from robustkit_underwater.water import degrade


class UnderwaterDegradation:
    """Renders inputs as if seen through water (see :func:`robustkit_underwater.water.degrade`).

    Inputs are mapped from the data set's bounds to [0, 1] and back, so the same severity means
    the same water on any bounds.
    """

    def __init__(self, params: WaterParams):
        self.params = params

    def perturb(self, x: torch.Tensor, y: torch.Tensor, ctx: PerturbContext) -> torch.Tensor:
        lo, hi = ctx.info.bounds
        unit = (x - lo) / (hi - lo)
        p = self.params
        out = degrade(unit, severity=p.severity, water=p.water, turbidity=p.turbidity,
                      depth_gradient=p.depth_gradient, generator=ctx.generator)
        return (out * (hi - lo) + lo).to(x.dtype)
