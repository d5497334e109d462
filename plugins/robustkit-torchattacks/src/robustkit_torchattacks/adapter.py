"""The perturbation object behind every ``ta-*`` name.

torchattacks requires inputs in [0, 1]: when the data set's bounds differ, the model is wrapped
to take ``z = (x - lo) / (hi - lo)`` and the result mapped back, so the attack's ``eps`` and
step sizes are fractions of the data range. Randomness comes from torch's global generator,
forked and seeded from the run's perturbation seed.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from robustkit.data import PerturbContext, ScoreOracle
from robustkit.errors import PluginError
from robustkit_torchattacks.modules import OracleModule, UnitRange
from robustkit_torchattacks.params import entries, to_kwargs


class TorchAttack:
    """``ta-<attack>``: the torchattacks class run on the pipeline's model."""

    def __init__(self, name: str, params: Any):
        self.name = name
        self.entry = entries()[name]
        self.params = params

    def _module(self, ctx: PerturbContext) -> nn.Module:
        if isinstance(ctx.model, nn.Module):
            module = ctx.model
        elif isinstance(ctx.model, ScoreOracle):
            module = OracleModule(ctx.model)
        else:
            raise PluginError(f"{self.name}: expected the model or a ScoreOracle, got "
                              f"{type(ctx.model).__name__}")
        lo, hi = map(float, ctx.info.bounds)
        if (lo, hi) != (0.0, 1.0):
            module = UnitRange(module, lo, hi)
        return module

    def perturb(self, x: torch.Tensor, y: torch.Tensor, ctx: PerturbContext) -> torch.Tensor:
        import torchattacks

        lo, hi = map(float, ctx.info.bounds)
        module = self._module(ctx)
        kwargs = to_kwargs(self.entry, self.params, num_classes=ctx.info.num_classes,
                           seed=ctx.seed)
        attack = getattr(torchattacks, self.entry["class"])(module, **kwargs)
        attack.set_device(x.device)
        labels = y
        if self.params.targeted:
            attack.set_mode_targeted_by_label(quiet=True)
            labels = (y + 1) % ctx.info.num_classes
        z = ((x - lo) / (hi - lo)).clamp(0, 1)
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(ctx.seed % 2**63)
            z_adv = attack(z, labels)
        return (lo + (hi - lo) * z_adv.detach()).clamp(lo, hi).to(x.dtype)

    def __repr__(self) -> str:
        return f"TorchAttack({self.name!r}, {self.params!r})"
