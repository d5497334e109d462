"""Attack metrics, computed from an Evaluation (perturbed vs clean inputs and outputs).

Success is defined over the samples the model classified correctly on clean inputs: such a
sample is a success when its perturbed input is misclassified. Samples that were already
misclassified are not counted (attacking them costs nothing and says nothing). Every metric
returns ``nan`` when it is undefined (no correctly classified sample, no success).
"""

from __future__ import annotations

import math

import torch

from robustkit.data import Evaluation


def _successes(ev: Evaluation) -> tuple[torch.Tensor, torch.Tensor]:
    """(originally correct, success) boolean masks. After a targeted attack (its targets in
    ``ev.extras["target"]``) success means the prediction is the target."""
    correct = ev.clean_outputs.argmax(-1) == ev.y_true
    target = ev.extras.get("target")
    if target is not None:
        fooled = ev.outputs.argmax(-1) == target.to(ev.outputs.device)
    else:
        fooled = ev.outputs.argmax(-1) != ev.y_true
    return correct, correct & fooled


def _summary(values: torch.Tensor) -> dict[str, float]:
    if values.numel() == 0:
        return {"mean": math.nan, "median": math.nan}
    v = values.to(torch.float64)
    # the lower median, as torch defines it, would bias small samples; average the middle two
    return {"mean": float(v.mean()), "median": float(v.quantile(0.5))}


class SuccessRate:
    """Share of originally correct samples that the attack made misclassified."""

    def __init__(self, params=None):
        pass

    def compute(self, ev: Evaluation) -> float:
        correct, success = _successes(ev)
        if len(ev) == 0 or not correct.any():
            return math.nan
        return int(success.sum()) / int(correct.sum())


class _Distortion:
    order: float = 2.0

    def __init__(self, params=None):
        pass

    def compute(self, ev: Evaluation) -> dict[str, float]:
        if len(ev) == 0:
            return _summary(torch.zeros(0))
        _, success = _successes(ev)
        diff = (ev.x.double() - ev.x_clean.double()).flatten(1)[success]
        return _summary(diff.norm(p=self.order, dim=1))


class L2Distortion(_Distortion):
    """Mean and median L2 norm of the perturbation of successful samples."""

    order = 2.0


class LinfDistortion(_Distortion):
    """Mean and median L-infinity norm of the perturbation of successful samples."""

    order = math.inf


class QueriesPerSuccess:
    """Queries a black-box attack spent, read from ``Evaluation.extras``:

    - ``mean`` / ``median``: queries until the first success, over successful samples;
    - ``total-per-success``: every query spent on every sample, divided by the successes.

    ``nan`` for attacks that do not report queries.
    """

    def __init__(self, params=None):
        pass

    def compute(self, ev: Evaluation) -> dict[str, float]:
        nan = {"mean": math.nan, "median": math.nan, "total-per-success": math.nan}
        queries = ev.extras.get("queries")
        if len(ev) == 0 or not isinstance(queries, torch.Tensor) or queries.numel() != len(ev):
            return nan
        _, success = _successes(ev)
        if not success.any():
            return nan
        to_success = ev.extras.get("queries_to_success")
        if not isinstance(to_success, torch.Tensor) or to_success.numel() != len(ev):
            to_success = queries
        values = to_success.to(torch.float64).cpu()[success.cpu()]
        out = _summary(values[torch.isfinite(values)])
        out["total-per-success"] = float(queries.to(torch.float64).sum() / success.sum())
        return out
