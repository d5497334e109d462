"""Choosing target classes for targeted attacks, shared by every attack plugin so that
``target = "least-likely"`` means the same class in each."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Literal

from robustkit.errors import DataError

if TYPE_CHECKING:
    import torch

TargetChoice = Literal["untargeted", "random", "least-likely", "next"]
TARGET_HELP = (
    "untargeted (any wrong class), or a targeted attack towards: random (a seeded random other "
    "class), least-likely (the clean prediction's lowest-scored class), next ((label + 1) mod "
    "classes)")


def choose_targets(scores: Callable[[torch.Tensor], torch.Tensor], x: torch.Tensor,
                   y: torch.Tensor, how: str, generator: torch.Generator | None,
                   num_classes: int | None) -> torch.Tensor | None:
    """Target labels, each different from the true label; ``None`` for ``untargeted``, so that
    an attack passes its ``target`` param through and branches only on the result.

    :param scores: the model, or any function from inputs to per-class scores (logits or
        probabilities: only their order matters); called once on the clean inputs, and only
        for ``least-likely`` or when ``num_classes`` is unknown. A black-box attack passes its
        query-counting oracle, so that look is paid for.
    :param how: ``next`` ((y + 1) mod K), ``random`` (uniform over the other classes, drawn
        from ``generator``) or ``least-likely`` (the class the clean prediction scores lowest;
        Kurakin et al. 2017), or ``untargeted``.
    """
    import torch

    if how == "untargeted":
        return None
    clean = None
    if how == "least-likely" or num_classes is None:
        with torch.no_grad():
            clean = scores(x)
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
