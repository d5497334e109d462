"""Live progress on the command line (rich.progress): a run shows its stage, the training
epoch with its loss, and an ETA; a sweep shows n/N cells, each finished cell in words, and an
ETA from the cells done so far."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

Callback = Callable[[str, dict[str, Any]], None]


def _bar(console: Console, quiet: bool) -> Progress:
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
                    TextColumn("{task.fields[note]}"), TimeElapsedColumn(),
                    TextColumn("ETA"), TimeRemainingColumn(), console=console,
                    transient=True, disable=quiet)


def run_with_progress(pipeline: Any, store: Path | None, console: Console,
                      quiet: bool = False) -> Any:
    """Run one pipeline with a stage bar and, while a model trains, an epoch bar with the
    loss of the last epoch and the time left."""
    from robustkit.pipeline import run_pipeline
    from robustkit.progress import listening

    with _bar(console, quiet) as bar:
        stages = bar.add_task("validating", total=None, note="")

        def on_stage(event: str, info: dict[str, Any]) -> None:
            if event == "start":
                # data, train, defenses, then one evaluation per setting
                bar.update(stages, total=2 + len(pipeline.defenses) + info["evaluations"],
                           description=f"run {info['run_id']}")
            elif event == "stage":
                # integrity checks report as stages too, but are not among those counted
                step = 0 if str(info["stage"]).startswith("integrity:") else 1
                bar.update(stages, advance=step, description=f"{escape(info['stage'])} done")

        with listening(EpochBars(bar)):
            return run_pipeline(pipeline, store=store, progress=on_stage)


class EpochBars:
    """A progress listener: one bar per fit (the model's, a defense's own), with the epoch,
    the mean training loss of the last epoch, and the time left."""

    def __init__(self, bar: Progress):
        self.bar = bar
        self.tasks: dict[str, Any] = {}

    def __call__(self, event: str, info: dict[str, Any]) -> None:
        if event != "epoch":
            return
        salt = str(info.get("salt", "train"))
        if salt not in self.tasks:
            self.tasks[salt] = self.bar.add_task(f"  training ({escape(salt)})",
                                                 total=info["epochs"], note="")
        self.bar.update(self.tasks[salt], completed=info["epoch"], total=info["epochs"],
                        note=f"epoch {info['epoch']}/{info['epochs']} loss {info['loss']:.4f}")


class SweepProgress:
    """The sweep's progress callback: a bar over the cells to run (n/N, ETA) and one line per
    finished cell with its number, its description and its time."""

    def __init__(self, console: Console, quiet: bool = False):
        self.console = console
        self.bar = _bar(console, quiet)
        self.task: Any = None
        self.started = time.perf_counter()

    def __call__(self, event: str, info: dict[str, Any]) -> None:
        if event == "start":
            self.console.print(
                f"sweep {info['sweep_id']}: {info['cells']} cells, {info['done']} already "
                f"done, {info['skipped']} combinations skipped as incompatible")
            self.bar.start()
            self.task = self.bar.add_task("cells", total=info.get("todo"), note="")
            self.started = time.perf_counter()
        elif event == "cell":
            total = self.bar.tasks[0].total if self.task is not None else None
            n = info.get("n", 0)
            mark = ("[green]ok[/green]" if info.get("status") == "done"
                    else f"[red]FAILED[/red]: {escape(str(info.get('error')))}")
            took = f" ({info['seconds']:.1f} s)" if info.get("seconds") else ""
            self.console.print(f"  {escape(f'[{n}/{total or chr(63)}]')} {mark} "
                               f"{escape(str(info.get('cell', info.get('key'))))}{took}",
                               highlight=False)
            if self.task is not None:
                self.bar.update(self.task, completed=n, note=escape(str(info.get("cell", ""))))

    def close(self) -> None:
        self.bar.stop()
