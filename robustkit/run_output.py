"""Showing a pipeline run on the terminal: a progress bar while it runs, then its table.
Shared by ``robustkit run`` and ``robustkit eval``."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def Console() -> Any:  # noqa: N802  (rich imported on first use: listing commands stay fast)
    from rich.console import Console as RichConsole

    return RichConsole()


def run_with_progress(pipeline: Any, store: Path | None, quiet: bool) -> Any:
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from robustkit.pipeline import run_pipeline

    with Progress(TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(),
                  console=Console(), transient=True, disable=quiet) as bar:
        task_id = bar.add_task("validating", total=None)

        def progress(event: str, info: dict[str, Any]) -> None:
            if event == "start":
                # data, train, defenses, then one evaluation per setting
                bar.update(task_id, total=2 + len(pipeline.defenses) + info["evaluations"],
                           description=f"run {info['run_id']}")
            elif event == "stage":
                bar.update(task_id, advance=1, description=f"{info['stage']} done")

        return run_pipeline(pipeline, store=store, progress=progress)


def print_table(run_id: str, rows: list[Any], timings: dict[str, float], where: str) -> None:
    from rich.markup import escape
    from rich.table import Table

    metrics = list(dict.fromkeys(r.metric for r in rows))
    table = Table(title=f"run {run_id}")
    table.add_column("perturbation")
    for m in metrics:
        table.add_column(m, justify="right")
    by_label: dict[str, dict[str, float | None]] = {}
    for r in rows:
        by_label.setdefault(r.label, {})[r.metric] = r.value
    for label, values in by_label.items():
        table.add_row(escape(label), *(fmt(values.get(m)) for m in metrics))
    console = Console()
    console.print(table)
    total = sum(v for k, v in timings.items())
    console.print(f"stored in {where} ({total:.1f} s of stages)")


def fmt(v: float | None) -> str:
    return "-" if v is None else f"{v:.4f}"
