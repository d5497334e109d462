"""A RobustBench-style leaderboard per threat model: one row per defended model with its
clean number, its worst case over every attack of that threat model (the attack named) and
each attack's own number, ranked by the worst case."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from robustkit.report.records import Row
from robustkit.report.worst import ThreatModel, WorstCell, attack_threat_model

if TYPE_CHECKING:
    from robustkit.report.core import Cell, Report


@dataclass
class Board:
    threat_model: ThreatModel
    attacks: list[str]  # column labels, in the report's column order
    entries: list[tuple[Row, Cell | None, WorstCell, list[Cell | None]]]


def leaderboards(report: Report) -> list[Board]:
    """One board per threat model found in the report, rows ranked by worst case (best first),
    ties broken by clean accuracy."""
    boards = []
    for tm in report.threat_models:
        attacks = sorted({r.label for r in report.records if r.metric == report.metric
                          and attack_threat_model(r) == tm},
                         key=report.columns().index)
        entries = []
        for row in report.rows():
            worst = report.worst.get((row, tm))
            if worst is None:
                continue
            entries.append((row, report.cell(row, "clean"), worst,
                            [report.cell(row, a) for a in attacks]))
        entries.sort(key=lambda e: (-e[2].mean, -(e[1][0] if e[1] else 0.0)))
        boards.append(Board(tm, attacks, entries))
    return boards
