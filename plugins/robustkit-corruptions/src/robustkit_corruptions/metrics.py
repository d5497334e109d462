"""Corruption error (Hendrycks & Dietterich 2019).

The ``corruption-error`` metric is the top-1 error of one evaluation. Relative numbers need a
baseline model's errors, which a single evaluation cannot see, so they are computed afterwards
from stored results with :func:`corruption_errors`:

- CE_c = sum_s E_{s,c} / sum_s E^base_{s,c}          (corruption error of corruption c)
- mCE = mean_c CE_c
- relative CE_c = sum_s (E_{s,c} - E_clean) / sum_s (E^base_{s,c} - E^base_clean)
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Any

from robustkit.data import Evaluation
from robustkit.errors import DataError


class CorruptionError:
    def __init__(self, params=None):
        pass

    def compute(self, ev: Evaluation) -> float:
        if len(ev) == 0:
            return math.nan
        return float((ev.outputs.argmax(-1) != ev.y_true).float().mean())


def _rows(result: Any) -> Iterable[Any]:
    rows = getattr(result, "rows", result)
    return rows if rows is not None else []


def errors_by_setting(result: Any, metric: str = "corruption-error") -> dict:
    """``{(perturbation, severity): error}`` plus ``("clean", None)`` from a PipelineResult (or
    its rows). ``metric`` may be ``accuracy``, whose values are turned into errors."""
    out: dict[tuple[str, float | None], float] = {}
    for row in _rows(result):
        if row.metric != metric or row.value is None:
            continue
        err = 1.0 - row.value if metric == "accuracy" else row.value
        key = ("clean", None) if row.label == "clean" else (row.perturbation, row.strength)
        out[key] = float(err)
    return out


def corruption_errors(result: Any, baseline: Any, metric: str = "corruption-error") -> dict:
    """CE and relative CE per corruption, and their means, of ``result`` against ``baseline``.

    Both are PipelineResults (or row lists) evaluated under the same corruptions and
    severities, with the ``corruption-error`` (or ``accuracy``) metric.

    :returns: ``{"ce": {c: CE_c}, "relative_ce": {c: ...}, "mce": float,
        "relative_mce": float}``.
    :raises DataError: when the two results do not share a corruption setting, or a
        baseline error is zero (the ratio is undefined).
    """
    mine, base = errors_by_setting(result, metric), errors_by_setting(baseline, metric)
    if not mine or not base:
        raise DataError(f"corruption_errors: no {metric!r} values in "
                        f"{'the result' if not mine else 'the baseline'}; evaluate both with "
                        f"metrics=['{metric}']")
    shared = sorted(k for k in mine if k in base and k[0] != "clean")
    if not shared:
        raise DataError("corruption_errors: the result and the baseline share no corruption "
                        "setting; evaluate both under the same corruptions and severities")
    ce, rel = {}, {}
    for name in sorted({k[0] for k in shared}):
        keys = [k for k in shared if k[0] == name]
        num = sum(mine[k] for k in keys)
        den = sum(base[k] for k in keys)
        if den <= 0:
            raise DataError(f"corruption_errors: the baseline makes no error under {name!r}, "
                            "so its corruption error is undefined")
        ce[name] = num / den
        if ("clean", None) in mine and ("clean", None) in base:
            rden = sum(base[k] - base[("clean", None)] for k in keys)
            rnum = sum(mine[k] - mine[("clean", None)] for k in keys)
            rel[name] = rnum / rden if rden > 0 else math.nan
    return {
        "ce": ce,
        "relative_ce": rel,
        "mce": sum(ce.values()) / len(ce),
        "relative_mce": (sum(rel.values()) / len(rel)) if rel else math.nan,
    }
