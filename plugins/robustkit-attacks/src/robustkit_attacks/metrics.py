"""The ``attack-stages`` metric: how many samples each stage of an attack ensemble broke."""

from __future__ import annotations

import math

import torch

from robustkit.data import Evaluation


class AttackStages:
    """Counts per outcome of an ensemble (``auto-attack``), read from ``Evaluation.extras``:
    ``clean-misclassified``, one count per stage (the samples it broke first) and ``robust``.
    ``nan`` for a perturbation that is not an ensemble."""

    def __init__(self, params=None):
        pass

    def compute(self, ev: Evaluation) -> dict[str, float] | float:
        broken = ev.extras.get("broken_by")
        stages = ev.extras.get("stages")
        if not isinstance(broken, torch.Tensor) or not stages:
            return math.nan
        # the pipeline keeps one names tuple per batch; they are all the same
        names = stages[0] if isinstance(stages, list) else stages
        out = {"clean-misclassified": float((broken == 0).sum())}
        for k, name in enumerate(names, 1):
            out[name] = float((broken == k).sum())
        out["robust"] = float((broken == -1).sum())
        return out
