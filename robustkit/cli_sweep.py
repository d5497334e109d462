"""``robustkit sweep``, ``sweeps`` and ``report``: many runs at once, and the report card."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from robustkit import overrides
from robustkit.cli_common import console as _console
from robustkit.cli_common import store_option
from robustkit.config import DEFAULT_STORE
from robustkit.errors import RobustkitError


@click.command()
@click.argument("config", required=False, type=click.Path(path_type=Path))
@click.option("--all-installed", is_flag=True,
              help="every compatible installed model, defense and perturbation for --dataset")
@click.option("--dataset", default=None, help="the data set for --all-installed")
@click.option("--models", default=None,
              help="with --all-installed: only these models (comma-separated)")
@click.option("--with-train-perturbations", is_flag=True,
              help="with --all-installed: also each training-time perturbation (label noise)")
@click.option("--executor", default=None, help="in-process, process-pool, ray, ...")
@click.option("--workers", type=int, default=None, help="workers for the executor")
@click.option("--address", default=None,
              help="join the Ray cluster at this address (implies --executor ray; "
                   "default: RAY_ADDRESS when the executor is ray)")
@click.option("--seeds", default=None, help="comma-separated seeds (overrides the config)")
@click.option("--epochs", type=int, default=None, help="training epochs (overrides)")
@click.option("--eval-samples", type=int, default=None, help="evaluate on N test samples")
@click.option("--metric", default="accuracy", show_default=True, help="metric of the matrix")
@store_option
def sweep(config: Path | None, all_installed: bool, dataset: str | None, models: str | None,
          with_train_perturbations: bool, executor: str | None,
          workers: int | None, address: str | None, seeds: str | None, epochs: int | None,
          eval_samples: int | None, metric: str, store: Path | None) -> None:
    """Run a sweep (CONFIG with lists), or every compatible installed combination.

    Running the same sweep again resumes it: finished cells are never recomputed."""
    from robustkit.config import ComponentRef
    from robustkit.executors import executor_override
    from robustkit.sweep import all_installed as everything
    from robustkit.sweep import load_sweep, run_sweep

    if all_installed == (config is not None):
        raise click.UsageError("give a sweep CONFIG or --all-installed --dataset NAME")
    if all_installed:
        if not dataset:
            raise click.UsageError("--all-installed needs --dataset (e.g. --dataset digits)")
        spec = everything(ComponentRef(name=dataset),
                          models=[m.strip() for m in models.split(",")] if models else None,
                          train_perturbations=with_train_perturbations)
    else:
        spec = load_sweep(config)
    changes: dict[str, Any] = {}
    if seeds:
        try:
            changes["seeds"] = [int(s) for s in seeds.split(",")]
        except ValueError:
            raise click.BadParameter(f"{seeds!r} is not a comma-separated list of integers",
                                     param_hint="--seeds") from None
    if epochs is not None:
        changes["training"] = {**spec.training.model_dump(), "epochs": epochs}
    if eval_samples is not None:
        changes["eval_samples"] = eval_samples
    spec = overrides.apply(spec, changes, "sweep")
    ref = executor_override(spec.executor, executor, workers, address)
    from robustkit.cli_progress import SweepProgress

    console = _console()
    progress = SweepProgress(console)
    try:
        outcome = run_sweep(spec, store=store, executor=ref, progress=progress)
    finally:
        progress.close()
    console.print(f"ran {outcome.ran} cells, reused {outcome.reused}; "
                  f"{len(outcome.failed)} failed")
    _print_matrix(outcome.store_path, outcome.sweep_id, metric)
    if outcome.failed:
        sys.exit(1)


def _print_matrix(path: Path, sweep_id: str | None, metric: str) -> None:
    from robustkit.report import build_report
    from robustkit.store import Store

    with Store(path) as db:
        _print_matrix_from(build_report(db, sweep_id=sweep_id, metric=metric))


@click.command()
@store_option
def sweeps(store: Path | None) -> None:
    """Sweeps in the results store, with their cell counts."""
    from rich.table import Table

    from robustkit.store import Store

    path = store or DEFAULT_STORE
    if not path.exists():
        raise RobustkitError(f"no results store at {path}; run `robustkit sweep` first")
    with Store(path) as db:
        table = Table(title=str(path))
        table.add_column("sweep", no_wrap=True)
        for col in ("status", "cells", "done", "failed"):
            table.add_column(col)
        for sw in db.sweeps():
            cells = db.cells(sw["id"])
            table.add_row(sw["id"], sw["status"], str(len(cells)),
                          str(sum(c["status"] == "done" for c in cells)),
                          str(sum(c["status"] == "failed" for c in cells)))
        _console().print(table)


@click.command()
@click.option("--sweep", "sweep_id", default=None, help="report one sweep (id or prefix)")
@click.option("--run", "run_ids", multiple=True, help="report these runs (repeatable)")
@click.option("--metric", default="accuracy", show_default=True)
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="output folder [default: next to the store, report/]")
@click.option("--compare", nargs=2, default=None, metavar="A B",
              help="compare two sweeps or runs (ids or prefixes) side by side")
@store_option
def report(sweep_id: str | None, run_ids: tuple[str, ...], metric: str, out: Path | None,
           compare: tuple[str, str] | None, store: Path | None) -> None:
    """Render the report card: HTML page, Markdown, CSV and JSON, and robustness curves.

    With neither --sweep nor --run: the newest sweep, else every finished run. With
    --compare A B: compare.html and compare.md, A and B side by side."""
    from robustkit.report import build_report
    from robustkit.store import Store

    path = store or DEFAULT_STORE
    if not path.exists():
        raise RobustkitError(f"no results store at {path}; run `robustkit run` first")
    if compare:
        from robustkit.report.compare import compare as compare_refs

        with Store(path) as db:
            paths = compare_refs(db, *compare, metric=metric).write(
                out or path.parent / "report")
        for kind, p in paths.items():
            click.echo(f"{kind}: {p}")
        return
    with Store(path) as db:
        if not sweep_id and not run_ids and db.sweeps():
            sweep_id = db.sweeps()[0]["id"]
        full_ids = [db.run(r)["id"] for r in run_ids]
        rep = build_report(db, sweep_id=sweep_id, run_ids=full_ids, metric=metric)
    if not any(r.metric == metric for r in rep.records):  # else an empty table, exit 0
        have = sorted({r.metric for r in rep.records})
        raise RobustkitError(f"nothing to report in {path} for metric {metric!r}" + (
            f"; the runs have: {', '.join(have)} (--metric)" if have else ""))
    paths = rep.write(out or path.parent / "report")
    _print_matrix_from(rep)
    for kind, p in paths.items():
        click.echo(f"{kind}: {p}")


def _print_matrix_from(rep: Any) -> None:
    from robustkit.report.terminal import print_matrix

    print_matrix(rep, _console())
