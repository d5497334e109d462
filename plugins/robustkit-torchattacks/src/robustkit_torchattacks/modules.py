"""The modules torchattacks attacks: the model on inputs rescaled to [0, 1], or a ScoreOracle
dressed as a module for score-based attacks (no parameters reachable, no gradients)."""

from __future__ import annotations

from typing import Any

import torch
from torch import nn


class UnitRange(nn.Module):
    """``model(lo + (hi - lo) * z)``: torchattacks insists on inputs in [0, 1]."""

    def __init__(self, model: nn.Module, lo: float, hi: float):
        super().__init__()
        self.model, self.lo, self.scale = model, lo, hi - lo

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.model(self.lo + self.scale * z)


class OracleModule(nn.Module):
    """A ScoreOracle as a module: forward is a counted, gradient-free query."""

    def __init__(self, oracle: Any):
        super().__init__()
        self.oracle = oracle
        # torchattacks finds the device from the first parameter; this one holds nothing
        self.anchor = nn.Parameter(torch.zeros(0), requires_grad=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.oracle(x)
