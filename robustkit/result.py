"""What a pipeline run returns: its id, config, metric rows and timings."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from robustkit.store import MetricRow


@dataclass
class PipelineResult:
    run_id: str
    config: dict[str, Any]
    rows: list[MetricRow]
    timings: dict[str, float]
    store_path: Path | None = None
    fingerprint: str | None = None
    cached_model: bool = False
    flags: list[Any] = field(default_factory=list)
    # robustkit.escalation.Escalation per doubted cell: the worst case beside the number
    escalations: list[Any] = field(default_factory=list)
    extras: dict[str, Any] = field(default_factory=dict)

    def flags_for(self, label: str) -> list[Any]:
        """Integrity flags that doubt the numbers of one perturbation setting."""
        return [f for f in self.flags if f.label == label]

    def value(self, metric: str, label: str = "clean") -> float | None:
        """One metric under one perturbation setting (``label`` as shown in the table)."""
        for row in self.rows:
            if row.metric == metric and row.label == label:
                return row.value
        known = sorted({(r.label, r.metric) for r in self.rows})
        raise KeyError(f"no value for metric {metric!r} under {label!r}; have {known}")

    def labels(self) -> list[str]:
        return list(dict.fromkeys(r.label for r in self.rows))

    def metrics(self) -> list[str]:
        return list(dict.fromkeys(r.metric for r in self.rows))

    def table(self) -> list[dict[str, Any]]:
        """One dict per perturbation setting: ``{"perturbation": label, metric: value, ...}``."""
        out: dict[str, dict[str, Any]] = {}
        for row in self.rows:
            out.setdefault(row.label, {"perturbation": row.label})[row.metric] = row.value
        return list(out.values())
