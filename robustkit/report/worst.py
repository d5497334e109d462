"""Worst case over attacks: for one threat model (a norm ball of radius ε), the lowest metric
any attack reached, per seed, with the attack named. This is the number RobustBench ranks
by (Croce et al., *RobustBench*, NeurIPS 2021 Datasets and Benchmarks): a defense is as robust
as its weakest point, not as its average."""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from dataclasses import dataclass

from robustkit.report.records import Record, Row


@dataclass(frozen=True)
class ThreatModel:
    """A norm ball: attacks with an ε strength of this norm and radius are compared."""

    norm: str
    eps: float

    @property
    def key(self) -> str:
        return f"worst {self.norm} ε={self.eps:g}"


@dataclass
class WorstCell:
    mean: float
    std: float
    n: int
    attacks: list[str]  # the settings that gave the per-seed minimum, most frequent first


def attack_threat_model(r: Record) -> ThreatModel | None:
    """The threat model of a bounded attack's row (noise and unbounded attacks have none)."""
    f = r.facts
    if (f.threat not in ("white-box", "black-box") or f.unbounded or not f.is_eps
            or r.strength is None or f.norm is None):
        return None
    return ThreatModel(f.norm, round(float(r.strength), 10))


def threat_models(records: list[Record], metric: str) -> list[ThreatModel]:
    found = {tm for r in records if r.metric == metric and r.value is not None
             and (tm := attack_threat_model(r)) is not None}
    return sorted(found, key=lambda t: (t.norm, t.eps))


def worst_cases(records: list[Record], metric: str, lower_is_worse: bool = True
                ) -> dict[tuple[Row, ThreatModel], WorstCell]:
    """Per (model row, threat model): the mean over seeds of the per-seed worst case."""
    per_seed: dict[tuple, dict[int, list[tuple[float, str]]]] = defaultdict(
        lambda: defaultdict(list))
    for r in records:
        if r.metric != metric or r.value is None or math.isnan(r.value):
            continue
        tm = attack_threat_model(r)
        if tm is not None:
            per_seed[(r.row, tm)][r.seed].append((r.value, r.label))
    out = {}
    for key, seeds in per_seed.items():
        picks = [min(v) if lower_is_worse else max(v) for v in seeds.values()]
        values = [v for v, _ in picks]
        counts: dict[str, int] = defaultdict(int)
        for _, label in picks:
            counts[label] += 1
        attacks = sorted(counts, key=lambda lb: (-counts[lb], lb))
        std = statistics.stdev(values) if len(values) > 1 else 0.0
        out[key] = WorstCell(statistics.fmean(values), std, len(values), attacks)
    return out
