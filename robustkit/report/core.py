"""The report card's model: a defenses × perturbation-settings matrix (mean ± spread over
seeds), worst case per threat model, grouped flags, short column keys, provenance."""

from __future__ import annotations

import statistics
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from robustkit.facts import THREATS
from robustkit.report.flags import FlagGroup, group_flags
from robustkit.report.records import Record, Row, RunInfo, config_names
from robustkit.report.worst import ThreatModel, WorstCell, threat_models, worst_cases

Cell = tuple[float, float, int]


@dataclass
class Column:
    """One matrix column: a perturbation setting, with its short key for the header."""

    key: str  # short, e.g. "c7"
    label: str  # full, e.g. "pgd[eps=0.1,steps=10]"
    perturbation: str
    config: str
    strength: float | None
    threat: str
    norm: str | None
    config_name: str = ""  # the config by the params that tell it apart, e.g. pgd[steps=2]

    @property
    def short(self) -> str:
        """The header text: the perturbation (with the params that tell its configs apart,
        e.g. ``pgd[steps=2]``) and the strength, both short."""
        name = self.config_name or self.perturbation
        name = name if len(name) <= 18 else name[:17] + "…"
        return name if self.strength is None else f"{name} {self.strength:g}"


@dataclass
class Report:
    metric: str
    records: list[Record]
    flags: list[dict[str, Any]]
    title: str = "robustkit report card"
    figures: dict[str, bytes] = field(default_factory=dict)
    # (run id, evaluation label) -> role ("input", "output", "target") -> k x C x H x W
    examples: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    grid_figures: dict[str, bytes] = field(default_factory=dict)
    runs: list[RunInfo] = field(default_factory=list)

    # -- the matrix ------------------------------------------------------------------------
    @cached_property
    def column_info(self) -> list[Column]:
        seen: dict[str, Record] = {}
        for r in self.records:
            if r.metric == self.metric and r.label not in seen:
                seen[r.label] = r

        def order(r: Record) -> tuple:
            threat = "clean" if r.label == "clean" else r.facts.threat
            return (THREATS.index(threat), r.perturbation, r.config, r.strength or 0.0, r.label)

        ordered = sorted(seen.values(), key=order)
        names = self.config_names
        return [Column(f"c{i}", r.label, r.perturbation, r.config, r.strength,
                       "clean" if r.label == "clean" else r.facts.threat, r.facts.norm,
                       names.get(r.config, ""))
                for i, r in enumerate(ordered)]

    @cached_property
    def config_names(self) -> dict[str, str]:
        """Short names of the perturbation configs (headers, curve legends)."""
        return config_names(self.records)

    def columns(self) -> list[str]:
        return [c.label for c in self.column_info]

    def rows(self) -> list[Row]:
        return sorted({r.row for r in self.records if r.metric == self.metric})

    @cached_property
    def _cells(self) -> dict[tuple[Row, str], dict[int, float]]:
        out: dict[tuple[Row, str], dict[int, float]] = {}
        for r in self.records:
            if r.metric == self.metric and r.value is not None:
                # the clean value is stored by every cell of a trained model; one per seed
                out.setdefault((r.row, r.label), {})[r.seed] = r.value
        return out

    def cell(self, row: Row, label: str) -> Cell | None:
        per_seed = self._cells.get((tuple(row), label))  # type: ignore[arg-type]
        if not per_seed:
            return None
        values = list(per_seed.values())
        spread = statistics.stdev(values) if len(values) > 1 else 0.0
        return statistics.fmean(values), spread, len(values)

    # -- worst case per threat model ---------------------------------------------------------
    @cached_property
    def threat_models(self) -> list[ThreatModel]:
        return threat_models(self.records, self.metric)

    @cached_property
    def worst(self) -> dict[tuple[Row, ThreatModel], WorstCell]:
        return worst_cases(self.records, self.metric)

    # -- flags -------------------------------------------------------------------------------
    @cached_property
    def flag_groups(self) -> list[FlagGroup]:
        return group_flags(self.flags, self.columns(),
                           {r.label: r.config for r in self.records})

    def cell_groups(self, row: Row, label: str) -> list[FlagGroup]:
        """The flag groups that doubt this cell."""
        return [g for g in self.flag_groups if g.row == tuple(row) and label in g.labels]

    def cell_flags(self, row: Row, label: str) -> list[dict[str, Any]]:
        """One entry per distinct check on this cell (the CLI marks cells with these)."""
        return [{"check": g.check, "message": g.message, "label": label, "row": g.row}
                for g in self.cell_groups(row, label)]

    # -- provenance --------------------------------------------------------------------------
    def provenance(self) -> dict[str, Any]:
        """Versions, sample counts, epochs, seeds and run ids behind the numbers."""
        plugins: dict[str, set[str]] = {}
        for run in self.runs:
            for name, info in run.plugins.items():
                version = (info or {}).get("version") if isinstance(info, dict) else info
                plugins.setdefault(name, set()).add(str(version or "?"))

        def values(get: Any) -> list[Any]:
            return sorted({v for run in self.runs if (v := get(run)) is not None}, key=str)

        return {
            "kernel_versions": values(lambda r: r.kernel_version),
            "plugins": {k: sorted(v) for k, v in sorted(plugins.items())},
            "seeds": values(lambda r: r.seed),
            "epochs": values(lambda r: r.epochs),
            "train_samples": values(lambda r: r.data.get("train_samples")),
            "eval_samples": values(lambda r: r.data.get("eval_samples")),
            "runs": len(self.runs),
            "run_ids": [r.run_id for r in self.runs],
        }

    def matrix(self) -> list[dict[str, Any]]:
        out = []
        for row in self.rows():
            entry: dict[str, Any] = dict(zip(("dataset", "model", "train", "defenses"), row,
                                             strict=True))
            for label in self.columns():
                c = self.cell(row, label)
                entry[label] = None if c is None else {
                    "mean": c[0], "std": c[1], "n": c[2],
                    "flags": [g.check for g in self.cell_groups(row, label)]}
            for tm in self.threat_models:
                w = self.worst.get((row, tm))
                entry[tm.key] = None if w is None else {
                    "mean": w.mean, "std": w.std, "n": w.n, "attacks": w.attacks}
            out.append(entry)
        return out

    @staticmethod
    def fmt(c: Cell | None) -> str:
        if c is None:
            return "–"
        mean, std, n = c
        return f"{mean:.3f} ± {std:.3f}" if n > 1 else f"{mean:.3f}"

    # -- rendering (each in its own module) ----------------------------------------------------
    def curves(self) -> dict[str, bytes]:
        """One PNG per (dataset, model, perturbation) with a config at several strengths."""
        from robustkit.report.curves import render_curves

        self.figures = render_curves(self)
        return self.figures

    def grids(self) -> dict[str, bytes]:
        """One PNG per stored evaluation with example images (image-to-image runs)."""
        from robustkit.report.curves import render_grids

        self.grid_figures = render_grids(self)
        return self.grid_figures

    def html(self) -> str:
        from robustkit.report.html_page import page

        return page(self)

    def markdown(self) -> str:
        from robustkit.report.export import markdown

        return markdown(self)

    def long_rows(self) -> list[dict[str, Any]]:
        return [r.flat() for r in self.records]

    def write(self, out_dir: str | Path) -> dict[str, Path]:
        """Write report.html, report.md, results.csv, results.json and the figures."""
        from robustkit.report.export import write

        return write(self, out_dir)
