"""Showing a pipeline run on the terminal: live progress while it runs, then its table (with
the "reported → worst case" column when escalation re-attacked a number). Shared by
``robustkit run`` and ``robustkit eval``."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def Console() -> Any:  # noqa: N802  (rich imported on first use: listing commands stay fast)
    from rich.console import Console as RichConsole

    return RichConsole()


def run_with_progress(pipeline: Any, store: Path | None, quiet: bool) -> Any:
    from robustkit.cli_progress import run_with_progress as live

    return live(pipeline, store, Console(), quiet)


def print_table(run_id: str, rows: list[Any], timings: dict[str, float], where: str,
                escalations: list[dict[str, Any]] | None = None) -> None:
    from rich.markup import escape
    from rich.table import Table

    from robustkit.escalation import worst_case_column

    metrics = list(dict.fromkeys(r.metric for r in rows))
    worst = worst_case_column(escalations or [])
    table = Table(title=f"run {run_id}")
    table.add_column("perturbation")
    for m in metrics:
        table.add_column(m, justify="right")
    if worst:
        table.add_column("reported → worst case (attack)")
    by_label: dict[str, dict[str, float | None]] = {}
    for r in rows:
        by_label.setdefault(r.label, {})[r.metric] = r.value
    for label, values in by_label.items():
        cells = [fmt(values.get(m)) for m in metrics]
        if worst:
            cells.append(escape(worst.get(label, "")))
        table.add_row(escape(label), *cells)
    console = Console()
    console.print(table)
    total = sum(v for k, v in timings.items())
    console.print(f"stored in {where} ({total:.1f} s of stages)")


def fmt(v: float | None) -> str:
    return "-" if v is None else f"{v:.4f}"
