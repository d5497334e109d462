"""Choosing target classes for targeted attacks."""

from __future__ import annotations

import torch
from torch import nn

from robustkit.errors import DataError


def choose_targets(model: nn.Module, x: torch.Tensor, y: torch.Tensor, how: str,
                   generator: torch.Generator | None, num_classes: int | None) -> torch.Tensor:
    """Target labels, each different from the true label.

    :param how: ``next`` ((y + 1) mod K), ``random`` (uniform over the other classes, drawn
        from ``generator``) or ``least-likely`` (the class the clean prediction scores lowest;
        Kurakin et al. 2017).
    """
    clean = None
    if how == "least-likely" or num_classes is None:
        with torch.no_grad():  # one clean forward, only when the choice needs it
            clean = model(x)
        num_classes = int(clean.shape[-1])
    if num_classes < 2:
        raise DataError(f"a targeted attack needs at least 2 classes, got {num_classes}")
    y = y.to(torch.int64)
    if how == "next":
        return (y + 1) % num_classes
    if how == "random":
        gdev = generator.device if generator is not None else torch.device("cpu")
        shift = torch.randint(1, num_classes, y.shape, generator=generator, device=gdev)
        return (y + shift.to(y.device)) % num_classes
    if how == "least-likely":
        return clean.argmin(dim=-1).to(y.device)
    raise ValueError(f"unknown target selection {how!r}")
