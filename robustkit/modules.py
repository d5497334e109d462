"""torch modules that make a model brought by the user behave like one robustkit built.

Imported only when a pipeline runs (it imports torch).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import torch
from torch import nn


class FixedMode(nn.Module):
    """A module that cannot switch train/eval (a ``torch.export`` program raises "Calling
    train() is not supported"): ``train()``/``eval()`` only record the flag, and the wrapped
    module keeps the inference behaviour it was exported with."""

    def __init__(self, module: nn.Module):
        super().__init__()
        self.module = module

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.module(x)

    def train(self, mode: bool = True) -> FixedMode:
        self.training = mode
        return self


class CallableModel(nn.Module):
    """Any callable returning logits (a tensor or a NumPy array) as a module.

    A callable that returns NumPy has no gradients: only noise and score-based attacks can
    use it (a gradient attack fails with a message from the attack, never a wrong number).
    """

    def __init__(self, fn: Callable[[torch.Tensor], Any]):
        super().__init__()
        self.fn = fn

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = self.fn(x)
        if isinstance(out, np.ndarray):
            out = torch.from_numpy(np.ascontiguousarray(out)).to(x.device)
        return out


class Normalized(nn.Module):
    """``model((x - mean) / std)``, mean/std as buffers so they move with ``.to(device)``."""

    def __init__(self, model: nn.Module, mean: list[float], std: list[float], *,
                 channels_first: bool):
        super().__init__()
        # images (C, H, W) normalise axis 1; vectors (F,) and sequences (T, F) the last axis
        shape = (1, -1, 1, 1) if channels_first else (-1,)
        self.register_buffer("mean", torch.tensor(mean, dtype=torch.float32).view(shape))
        self.register_buffer("std", torch.tensor(std, dtype=torch.float32).view(shape))
        self.model = model

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.model((x - self.mean) / self.std)

    def train(self, mode: bool = True) -> Normalized:
        # delegate instead of nn.Module's recursion, so FixedMode inside is respected
        self.training = mode
        self.model.train(mode)
        return self


def set_mode(module: nn.Module, training: bool) -> None:
    """``module.train(training)``, tolerating modules that cannot switch (exported programs)."""
    try:
        module.train(training)
    except NotImplementedError:
        pass
