"""Score-only access for black-box attacks: validation, per-sample query counting, the loss.

A black-box attack talks to the model only through :class:`CountingOracle`, which accepts any
callable returning scores (the pipeline passes a :class:`robustkit.ScoreOracle`) but refuses a
``torch.nn.Module``: handing an attack the module would let it reach gradients and parameters.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from robustkit.errors import DataError, PluginError

_TINY = 1e-30  # floor for probabilities before the log, so a saturated softmax stays finite


class CountingOracle:
    """Queries a score function for a subset of samples and counts queries per sample.

    :param query: the score function (``ctx.model`` of a ``needs="scores"`` perturbation).
    :param n: number of samples being attacked; ``queries[i]`` counts inputs scored for
        sample ``i``.
    :param num_classes: the expected width of the score vector.
    :param name: the attack's name, used in error messages.
    """

    def __init__(self, query: Any, n: int, num_classes: int, name: str):
        if isinstance(query, nn.Module):
            raise PluginError(
                f"perturbation '{name}' is a black-box attack and must receive a score "
                "function, not the model itself; register it with needs='scores' so the "
                "pipeline passes a robustkit.ScoreOracle")
        if not callable(query):
            raise PluginError(
                f"perturbation '{name}' needs a score function in ctx.model (got "
                f"{type(query).__name__}); register it with needs='scores'")
        self._query = query
        self.name = name
        self.num_classes = num_classes
        self.queries = torch.zeros(n, dtype=torch.int64)

    def __call__(self, x: torch.Tensor, owner: torch.Tensor) -> torch.Tensor:
        """Scores of ``x`` (M, ...) where ``owner[j]`` is the sample index query ``j`` serves.

        Returns probabilities in float64, shape (M, num_classes).
        """
        with torch.no_grad():  # the attack never builds a graph through the model
            scores = self._query(x.detach())
        if not isinstance(scores, torch.Tensor):
            raise DataError(
                f"{self.name}: the score function returned {type(scores).__name__}; "
                "it must return a tensor of shape (inputs, classes)")
        if scores.shape != (x.shape[0], self.num_classes):
            raise DataError(
                f"{self.name}: the model returned scores of shape {tuple(scores.shape)} for "
                f"{x.shape[0]} inputs; expected ({x.shape[0]}, {self.num_classes}). Check "
                "that the model's output width matches DataInfo.num_classes")
        if not torch.isfinite(scores).all():
            raise DataError(
                f"{self.name}: the model returned NaN or infinite scores; the attack stopped. "
                "Check the model (diverged training, a defense that produces NaN)")
        self.queries.index_add_(0, owner.cpu(), torch.ones_like(owner, device="cpu"))
        return scores.detach().to(torch.float64)


def as_log_probs(scores: torch.Tensor) -> torch.Tensor:
    """Log of score vectors that are probabilities; normalises them first if they do not sum
    to one (a model that returns unnormalised positive scores)."""
    s = scores.clamp_min(_TINY)
    return (s / s.sum(-1, keepdim=True)).log()


def margin(scores: torch.Tensor, y: torch.Tensor, targeted: bool = False) -> torch.Tensor:
    """How far each row is from the attack's goal, on logits (C&W) or log-probabilities
    (ZOO): untargeted ``s_y - max_{i != y} s_i`` with ``y`` the label; targeted
    ``max_{i != t} s_i - s_t`` with ``y`` the target ``t``. Negative means reached."""
    true = scores.gather(1, y[:, None]).squeeze(1)
    other = scores.scatter(1, y[:, None], float("-inf")).amax(1)
    return other - true if targeted else true - other


def reached(m: torch.Tensor, confidence: float) -> torch.Tensor:
    """The goal is reached by at least ``confidence`` (kappa; the paper's f_6), and strictly."""
    return (m <= -confidence) & (m < 0)


def margin_loss(log_p: torch.Tensor, y: torch.Tensor, confidence: float,
                targeted: bool = False) -> torch.Tensor:
    """ZOO's loss per row: ``max(margin, -kappa)``."""
    return margin(log_p, y, targeted).clamp_min(-confidence)


def is_adversarial(log_p: torch.Tensor, y: torch.Tensor, confidence: float,
                   targeted: bool = False) -> torch.Tensor:
    """Untargeted: another class beats the label ``y`` by at least ``confidence`` (and by
    > 0). Targeted: the target ``y`` beats every other class so."""
    return reached(margin(log_p, y, targeted), confidence)


def check_batch(x: torch.Tensor, y: torch.Tensor, num_classes: int | None, name: str) -> int:
    """Validate the attack's inputs; return the number of classes."""
    if num_classes is None or num_classes < 2:
        raise PluginError(f"{name} attacks classifiers; DataInfo.num_classes must be >= 2")
    if x.shape[0] != y.shape[0]:
        raise DataError(f"{name}: {x.shape[0]} inputs but {y.shape[0]} labels")
    if not torch.isfinite(x).all():
        raise DataError(f"{name}: the inputs contain NaN or infinity")
    if y.numel() and (int(y.min()) < 0 or int(y.max()) >= num_classes):
        raise DataError(f"{name}: labels must lie in [0, {num_classes - 1}]")
    return num_classes
