"""Small torch modules the kernel puts around models (imported only when a pipeline runs)."""

from __future__ import annotations

from typing import Any

import torch
from torch import nn


class InputTransformModel(nn.Module):
    """``model(transform(x))``: how an input-transform defense sits in front of a model."""

    def __init__(self, transform: Any, model: nn.Module):
        super().__init__()
        self.transform = transform
        self.model = model
        if isinstance(transform, nn.Module):
            self.add_module("transform_module", transform)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.model(self.transform(x))
