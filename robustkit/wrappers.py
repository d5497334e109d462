"""Small torch modules the kernel puts around models (imported only when a pipeline runs)."""

from __future__ import annotations

from typing import Any

import torch
from torch import nn


class InputTransformModel(nn.Module):
    """``model(transform(x))``: how an input-transform defense sits in front of a model."""

    def __init__(self, transform: Any, model: nn.Module, guard: Any = None):
        """:param guard: ``guard(transform, x)`` calls the transform so that an error or an
            in-place change of ``x`` names the defense (the pipeline passes
            ``robustkit.guard.call`` bound to it)."""
        super().__init__()
        self.transform = transform
        self.model = model
        self.guard = guard
        if isinstance(transform, nn.Module):
            self.add_module("transform_module", transform)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.guard is not None:
            return self.model(self.guard(self.transform, x))
        return self.model(self.transform(x))
