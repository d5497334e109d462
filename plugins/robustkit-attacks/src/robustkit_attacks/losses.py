"""Attack losses and success tests: the public, pluggable part of the attack engine.

A loss maps class scores ``(N, K)`` and labels ``(N,)`` to one value per sample that the attack
*increases*. Untargeted, ``labels`` are the true classes and a higher loss means further from
them; targeted, ``labels`` are the targets and a higher loss means closer to them. So every
loss is ascended the same way, and a caller never flips signs.

Losses (``LOSSES``):

- ``ce``: cross-entropy (Goodfellow et al. 2015; Madry et al. 2018).
- ``dlr``: the difference of logits ratio (Croce & Hein 2020, eq. 6), invariant to shifting
  and scaling the logits, so a saturated softmax or a temperature does not hide the gradient.
  Targeted: the paper's targeted DLR, ``-(z_y - z_t) / (z_pi1 - (z_pi3 + z_pi4) / 2)``, which
  needs the true labels too (``true=``) and at least 4 classes.
- ``margin``: Carlini & Wagner's margin on logits, ``max_{i != y} z_i - z_y`` (untargeted) or
  ``z_t - max_{i != t} z_i`` (targeted).
- ``ce-t``: cross-entropy of the logits divided by a temperature ``T`` (``temperature=``):
  ``T > 1`` un-saturates a softmax trained at a high temperature (defensive distillation).

Other plugins (training defenses, forecasting attacks) use :func:`get_loss` and
:func:`reached` instead of their own copies; the engine also accepts any callable with the
signature of :class:`LossFn` (e.g. a regression loss) together with a success test.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Literal, Protocol

import torch
import torch.nn.functional as F

from robustkit.errors import DataError, ParamsError

LossName = Literal["ce", "dlr", "margin", "ce-t"]
LOSSES: tuple[str, ...] = ("ce", "dlr", "margin", "ce-t")
# Croce & Hein's guard against a zero denominator when the top logits tie
_DLR_EPS = 1e-12


class LossFn(Protocol):
    """``loss(scores, labels, *, targeted, true) -> (N,)`` per-sample values to increase."""

    def __call__(self, scores: torch.Tensor, labels: torch.Tensor, *, targeted: bool,
                 true: torch.Tensor | None) -> torch.Tensor: ...


SuccessFn = Callable[[torch.Tensor, torch.Tensor, bool], torch.Tensor]


def ce(scores: torch.Tensor, labels: torch.Tensor, *, targeted: bool = False,
       true: torch.Tensor | None = None) -> torch.Tensor:
    """Cross-entropy per sample; targeted: its negative towards the target."""
    loss = F.cross_entropy(scores, labels, reduction="none")
    return -loss if targeted else loss


def dlr(scores: torch.Tensor, labels: torch.Tensor, *, targeted: bool = False,
        true: torch.Tensor | None = None) -> torch.Tensor:
    """Difference of logits ratio (Croce & Hein 2020); ``true`` is required when targeted."""
    k = scores.shape[1]
    if k < (4 if targeted else 3):
        raise DataError(
            f"the DLR loss needs at least {4 if targeted else 3} classes (it divides by the "
            f"gap between the largest and the {'4th' if targeted else '3rd'} largest logit); "
            f"the model scores {k}. Use loss = 'margin' or 'ce'")
    top = scores.sort(dim=1, descending=True).values
    rows = torch.arange(scores.shape[0], device=scores.device)
    if targeted:
        if true is None:
            raise ValueError("the targeted DLR loss needs the true labels (true=)")
        num = scores[rows, true] - scores[rows, labels]
        return -num / (top[:, 0] - (top[:, 2] + top[:, 3]) / 2 + _DLR_EPS)
    z_y = scores[rows, labels]
    # the largest logit other than the label's
    other = torch.where(scores.argmax(1) == labels, top[:, 1], top[:, 0])
    return -(z_y - other) / (top[:, 0] - top[:, 2] + _DLR_EPS)


def margin(scores: torch.Tensor, labels: torch.Tensor, *, targeted: bool = False,
           true: torch.Tensor | None = None) -> torch.Tensor:
    """C&W margin on logits, ascending towards the goal; positive once the goal is reached."""
    own = scores.gather(1, labels[:, None]).squeeze(1)
    rest = scores.scatter(1, labels[:, None], float("-inf")).amax(1)
    return own - rest if targeted else rest - own


def ce_temperature(temperature: float) -> LossFn:
    """Cross-entropy of ``scores / temperature``."""
    if not temperature > 0:
        raise ParamsError(f"loss 'ce-t' needs a temperature > 0, got {temperature}")

    def loss(scores: torch.Tensor, labels: torch.Tensor, *, targeted: bool = False,
             true: torch.Tensor | None = None) -> torch.Tensor:
        return ce(scores / temperature, labels, targeted=targeted)

    return loss


def get_loss(name: str, *, temperature: float = 1.0) -> LossFn:
    """The loss called ``name`` (one of :data:`LOSSES`); ``temperature`` is for ``ce-t``."""
    if name == "ce":
        return ce
    if name == "dlr":
        return dlr
    if name == "margin":
        return margin
    if name == "ce-t":
        return ce_temperature(temperature)
    raise ParamsError(f"unknown attack loss {name!r}; choose one of {', '.join(LOSSES)}")


def reached(scores: torch.Tensor, labels: torch.Tensor, targeted: bool) -> torch.Tensor:
    """The classification success test: misclassified, or (targeted) classified as the
    target. Pass another callable of this signature to the engine for other tasks."""
    pred = scores.argmax(1)
    return pred == labels if targeted else pred != labels
