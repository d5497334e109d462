"""The report's integrity flags: row checks across the cells of a sweep (from stored facts
only), the chance-level check, and grouping so that each cause is listed once with its cells."""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from robustkit.integrity import Setting, row_flags
from robustkit.report.records import Record, Row, RunInfo

# checks whose cause is the model, not one perturbation setting: one group per model row
MODEL_CHECKS = frozenset({"zero-gradients", "nan-gradients", "vanishing-gradients",
                          "chance-level"})
# a clean accuracy within this many binomial standard errors of 1 / classes is "at chance"
CHANCE_SIGMAS = 3.0
CHANCE_MIN_TOL = 0.02


def cross_run_flags(records: list[Record]) -> list[dict[str, Any]]:
    """Row checks across the cells of a sweep (each cell stores one perturbation), on the
    facts stored with each row. Settings are compared only within one config: the params
    other than the strength go into ``Setting.extra``, so PGD-10 and PGD-2 at one ε are two
    series, never one that "rises"."""
    groups: dict[tuple, dict[str, Setting]] = defaultdict(dict)
    for r in records:
        if r.metric != "accuracy" or r.value is None or r.label == "clean":
            continue
        f = r.facts
        groups[(r.row, r.seed)][r.label] = Setting(
            label=r.label, perturbation=r.perturbation, accuracy=r.value, threat=f.threat,
            iterative=f.iterative, unbounded=f.unbounded, strength=r.strength,
            norm=f.norm or "linf",
            extra={k: v for k, v in r.params.items() if k != f.strength_param})
    out = []
    for (row, seed), settings in groups.items():
        for flag in row_flags(list(settings.values())):
            out.append({**flag.as_dict(), "row": row, "seed": seed})
    return out


def chance_threshold(num_classes: int, samples: int | None) -> float:
    """The clean accuracy at or below which a classifier is called "at chance"."""
    p = 1.0 / num_classes
    tol = CHANCE_MIN_TOL
    if samples:
        tol = max(tol, CHANCE_SIGMAS * math.sqrt(p * (1 - p) / samples))
    return p + tol


def chance_flags(records: list[Record], runs: list[RunInfo]) -> list[dict[str, Any]]:
    """A model whose clean accuracy is about 1 / num_classes learned nothing: every robust
    number of it is meaningless (a model at chance is trivially "robust" to everything)."""
    info = {r.run_id: r.data for r in runs}
    out = []
    for r in records:
        data = info.get(r.run_id) or {}
        classes = data.get("num_classes")
        if (r.label != "clean" or r.metric != "accuracy" or r.value is None
                or not classes or classes < 2):
            continue
        limit = chance_threshold(int(classes), data.get("eval_samples"))
        if r.value <= limit:
            out.append({"check": "chance-level", "label": "clean", "row": r.row,
                        "seed": r.seed, "run_id": r.run_id,
                        "message": f"clean accuracy {r.value:.1%} is at chance level "
                                   f"(1/{classes} = {1 / classes:.1%}, threshold "
                                   f"{limit:.1%}): the model learned nothing, so its robust "
                                   "numbers say nothing; train longer or check the data."})
    return out


@dataclass
class FlagGroup:
    """One cause: a check on one model row, with every cell and seed where it fired."""

    number: int
    check: str
    row: Row
    message: str
    labels: list[str] = field(default_factory=list)
    seeds: list[int] = field(default_factory=list)
    count: int = 0

    def as_dict(self) -> dict[str, Any]:
        return {"number": self.number, "check": self.check, "row": list(self.row),
                "message": self.message, "cells": self.labels, "seeds": self.seeds,
                "count": self.count}


def group_flags(flags: list[dict[str, Any]], column_order: list[str],
                config_of: dict[str, str] | None = None) -> list[FlagGroup]:
    """Deduplicate flags: one group per (check, model row) for model-level checks, else per
    (check, model row, perturbation config): the strengths of one config that a check doubts
    share a cause (the attack config does not converge, is weaker than one step, ...). Seeds
    and repeats are merged into the group."""
    order = {c: i for i, c in enumerate(column_order)}
    config_of = config_of or {}
    groups: dict[tuple, FlagGroup] = {}
    seen = set()
    for f in flags:
        row = tuple(f["row"])
        # a run's own row checks and the report's cross-run ones may find the same thing
        once = (f["check"], row, f.get("seed"), f["label"])
        if once in seen:
            continue
        seen.add(once)
        key = (f["check"], row) if f["check"] in MODEL_CHECKS else (
            f["check"], row, config_of.get(f["label"], f["label"]))
        g = groups.get(key)
        if g is None:
            g = groups[key] = FlagGroup(0, f["check"], row, f["message"])  # type: ignore[arg-type]
        if f["label"] and f["label"] not in g.labels:
            g.labels.append(f["label"])
        if f.get("seed") is not None and f["seed"] not in g.seeds:
            g.seeds.append(f["seed"])
        g.count += 1  # distinct (seed, cell) flags merged into this group
    out = sorted(groups.values(), key=lambda g: (g.row, min(
        (order.get(lb, len(order)) for lb in g.labels), default=-1), g.check))
    for i, g in enumerate(out, 1):
        g.number = i
        g.labels.sort(key=lambda lb: order.get(lb, len(order)))
        g.seeds.sort()
    return out
