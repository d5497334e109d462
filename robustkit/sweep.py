"""Sweeps: a config with lists, expanded into cells, filtered by compatibility, run by an
executor, resumable.

Cells come in two phases. Phase 0 has one cell per trained model (dataset × model ×
training-time perturbations × defenses × seed): it trains, caches the model and evaluates it
clean. Phase 1 has one cell per (trained model, perturbation setting): it loads the cached model
and evaluates one perturbation. So a long training runs once, never on every worker, and
evaluations spread over all workers.

A sweep's id is a hash of its expanded cells: running the same sweep again resumes it, and a
cell already done is never recomputed.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from robustkit.cache import fingerprint
from robustkit.components import Kind, Needs, Target, Task
from robustkit.config import (
    DEFAULT_STORE,
    ComponentRef,
    Pipeline,
    TrainingConfig,
    load_model_file,
)
from robustkit.errors import ConfigError
from robustkit.plugins import PluginHost, get_host
from robustkit.shipping import check_workers, worker_extras, worker_host


def _stack(value: Any) -> Any:
    """A defense (or training perturbation) entry is a stack; a single name is a stack of one."""
    if isinstance(value, (str, dict)):
        return [value]
    return value


class Sweep(BaseModel):
    """A sweep config: every list is an axis; cells are the product, filtered."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str | None = None
    datasets: list[ComponentRef] = Field(min_length=1)
    models: list[ComponentRef] = Field(min_length=1)
    train_perturbations: list[list[ComponentRef]] = Field(
        default_factory=lambda: [[]], description="stacks; [] means none")
    defenses: list[list[ComponentRef]] = Field(
        default_factory=lambda: [[]], description="stacks; [] means undefended")
    perturbations: list[ComponentRef] = Field(default_factory=list)
    metrics: list[ComponentRef] = Field(
        default_factory=lambda: [ComponentRef(name="accuracy")], min_length=1)
    seeds: list[Annotated[int, Field(ge=0, lt=2**63)]] = Field(
        default_factory=lambda: [0], min_length=1)
    training: TrainingConfig = Field(default_factory=TrainingConfig)
    device: str = "cpu"
    eval_batch_size: int = Field(512, ge=1)
    eval_samples: int | None = Field(None, ge=1)
    integrity: bool | Literal["escalate", "flag", "off"] = "escalate"
    threads: int | None = Field(1, ge=1, le=1024, description=(
        "torch threads per cell; fixed so that every executor stores the same numbers "
        "(None: torch's default, faster in-process but not comparable across executors)"))
    executor: ComponentRef = Field(default_factory=lambda: ComponentRef(name="in-process"))
    store: Path | None = None

    @field_validator("defenses", "train_perturbations", mode="before")
    @classmethod
    def _stacks(cls, value: Any) -> Any:
        return [_stack(v) for v in value] if isinstance(value, list) else value


def load_sweep(path: str | Path) -> Sweep:
    """Read a sweep config file (TOML, JSON or YAML)."""
    return load_model_file(path, Sweep, "sweep")


@dataclass
class Cell:
    key: str
    phase: int
    config: dict[str, Any]


@dataclass
class Expansion:
    sweep_id: str
    cells: list[Cell]
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (what, why)


def _pipeline_dict(sweep: Sweep, dataset, model, tps, defenses, seed, perts) -> dict[str, Any]:
    return Pipeline(
        name=sweep.name, dataset=dataset, model=model, train_perturbations=tps,
        defenses=defenses, perturbations=perts, metrics=sweep.metrics, training=sweep.training,
        seed=seed, device=sweep.device, eval_batch_size=sweep.eval_batch_size,
        eval_samples=sweep.eval_samples, integrity=sweep.integrity, threads=sweep.threads,
    ).to_dict()


def _describe(config: dict[str, Any]) -> str:
    parts = [config["dataset"]["name"], config["model"]["name"]]
    parts += [d["name"] for d in config.get("train_perturbations", [])]
    parts += [d["name"] for d in config.get("defenses", [])]
    return " / ".join(parts) + f" / seed {config['seed']}"


def describe_cell(config: dict[str, Any]) -> str:
    """A cell in words: its trained model, seed and (phase 1) its perturbation setting."""
    perts = config.get("perturbations") or []
    what = ComponentRef.model_validate(perts[0]).label() if perts else "train + clean"
    return f"{_describe(config)} / {what}"


def _key(config: dict[str, Any], content: dict[str, Any]) -> str:
    return fingerprint({**config, "provenance": content} if content else config)


def expand(sweep: Sweep, host: PluginHost | None = None) -> Expansion:
    """The sweep's cells, with every incompatible combination skipped and explained."""
    from robustkit.plan import resolve
    from robustkit.pretrained import provenance

    host = host or get_host()
    cells: list[Cell] = []
    skipped: list[tuple[str, str]] = []
    for dataset in sweep.datasets:
        for model in sweep.models:
            for tps in sweep.train_perturbations:
                for defenses in sweep.defenses:
                    for seed in sweep.seeds:
                        base = _pipeline_dict(sweep, dataset, model, tps, defenses, seed, [])
                        try:
                            plan = resolve(Pipeline.model_validate(base), host.registry)
                        except ConfigError as exc:
                            skipped.append((_describe(base), str(exc)))
                            continue
                        # a model file's content joins the key: new weights, new cells
                        content = provenance(plan)
                        cells.append(Cell(_key(base, content), 0, base))
                        for pert in sweep.perturbations:
                            cfg = {**base, "perturbations": [pert.model_dump()]}
                            try:
                                plan = resolve(Pipeline.model_validate(cfg), host.registry)
                            except ConfigError as exc:
                                skipped.append((f"{_describe(base)} / {pert.label()}", str(exc)))
                                continue
                            for setting in plan.settings:  # strength lists: one cell each
                                one = {**base, "perturbations": [setting.ref.model_dump()]}
                                cells.append(Cell(_key(one, content), 1, one))
    if not cells:
        raise ConfigError("the sweep has no compatible cell:\n" + "\n".join(
            f"  - {what}: {why}" for what, why in skipped[:20]))
    digest = fingerprint({"cells": [c.key for c in cells]})[:10]
    return Expansion(f"{sweep.name or 'sweep'}-{digest}", cells, skipped)


# set by run_sweep while an executor runs cells in the driver's own process (in-process): those
# cells use the host the caller gave, not the process-wide one
_IN_PROCESS_HOST: ContextVar[PluginHost | None] = ContextVar("robustkit_sweep_host",
                                                             default=None)


SWEEP_CELL_ENV = "ROBUSTKIT_SWEEP_ID"


@contextmanager
def in_sweep_cell(sweep_id: str) -> Iterator[None]:
    """Marks the pipeline runs inside as a sweep's cells (``ROBUSTKIT_SWEEP_ID`` is set), so
    that per-run exporters can leave them to the driver's sweep hooks instead of exporting
    them twice (or, in a worker killed at shutdown, never)."""
    before = os.environ.get(SWEEP_CELL_ENV)
    os.environ[SWEEP_CELL_ENV] = sweep_id
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(SWEEP_CELL_ENV, None)
        else:
            os.environ[SWEEP_CELL_ENV] = before


def run_cell(payload: dict[str, Any]) -> dict[str, Any]:
    """Run one cell (in any worker) and record it in the store. Module-level so it pickles."""
    from robustkit.store import Store

    started = time.perf_counter()
    host = _IN_PROCESS_HOST.get() or worker_host(payload)
    with Store(payload["store"]) as store, in_sweep_cell(payload["sweep_id"]):
        try:
            result = Pipeline.model_validate(payload["config"]).run(store=store, host=host)
        except Exception as exc:
            store.finish_cell(payload["sweep_id"], payload["key"], status="failed",
                              error=f"{type(exc).__name__}: {exc}")
            return {"key": payload["key"], "status": "failed", "error": str(exc)}
        # marked done by the worker itself, right after its run is stored, so a killed parent
        # cannot leave a finished cell looking unfinished
        store.finish_cell(payload["sweep_id"], payload["key"], status="done",
                          run_id=result.run_id)
    return {"key": payload["key"], "status": "done", "run_id": result.run_id,
            "seconds": time.perf_counter() - started}


@dataclass
class SweepOutcome:
    sweep_id: str
    ran: int
    reused: int
    failed: list[dict[str, Any]]
    skipped: list[tuple[str, str]]
    store_path: Path


def run_sweep(
    sweep: Sweep,
    *,
    host: PluginHost | None = None,
    store: str | Path | None = None,
    executor: ComponentRef | None = None,
    progress: Callable[[str, dict[str, Any]], None] | None = None,
) -> SweepOutcome:
    """Expand, then run every cell not yet done, phase by phase, on the chosen executor."""
    from robustkit.lifecycle import check_device
    from robustkit.store import Store

    host = host or get_host()
    progress = progress or (lambda event, info: None)
    check_device(sweep.device)  # once, before any cell is recorded as failed for it
    expansion = expand(sweep, host)
    path = Path(store or sweep.store or DEFAULT_STORE)
    ref = executor or sweep.executor
    runner = host.registry.get(Kind.EXECUTOR, ref.name).build(ref.params)
    with Store(path) as db:
        db.ensure_sweep(expansion.sweep_id, sweep.name, sweep.model_dump(mode="json"),
                        [(c.key, c.phase, c.config) for c in expansion.cells])
        done = {c["cell_key"] for c in db.cells(expansion.sweep_id) if c["status"] == "done"}
    described = {c.key: describe_cell(c.config) for c in expansion.cells}
    progress("start", {"sweep_id": expansion.sweep_id, "cells": len(expansion.cells),
                       "done": len(done), "skipped": len(expansion.skipped),
                       "todo": len(expansion.cells) - len(done & set(described))})
    hook = host.hook
    hook.robustkit_sweep_start(sweep_id=expansion.sweep_id, name=sweep.name,
                               store_path=str(path), cells=len(expansion.cells), done=len(done))
    ran, failed = 0, []
    extras = worker_extras(host, [c.config for c in expansion.cells], ref.name)
    status = "interrupted"
    token = _IN_PROCESS_HOST.set(host)
    try:
        check_workers(runner, ref.name, extras, [c.config for c in expansion.cells])
        for phase in (0, 1):
            todo = [
                {"store": str(path), "sweep_id": expansion.sweep_id, "key": c.key,
                 "config": c.config, **extras}
                for c in expansion.cells if c.phase == phase and c.key not in done
            ]
            for outcome in runner.map(run_cell, todo):
                ran += 1
                if outcome["status"] != "done":
                    failed.append(outcome)
                hook.robustkit_sweep_cell_end(
                    sweep_id=expansion.sweep_id, cell_key=outcome["key"],
                    run_id=outcome.get("run_id"), status=outcome["status"],
                    store_path=str(path))
                progress("cell", {**outcome, "n": ran,
                                  "cell": described.get(outcome.get("key"), "?")})
        status = "failed" if failed else "done"
    finally:
        _IN_PROCESS_HOST.reset(token)
        runner.close()
        hook.robustkit_sweep_end(sweep_id=expansion.sweep_id, store_path=str(path),
                                 status=status)
    with Store(path) as db:
        if not failed:
            db.finish_sweep(expansion.sweep_id)
    return SweepOutcome(expansion.sweep_id, ran, len(done), failed, expansion.skipped, path)


def all_installed(dataset: ComponentRef, host: PluginHost | None = None, *,
                  models: list[str] | None = None, train_perturbations: bool = False,
                  **overrides: Any) -> Sweep:
    """Every installed model, defense and perturbation that fits ``dataset``, at defaults.

    Defenses are tried one at a time (plus undefended). Training-time perturbations (label
    noise) multiply the trainings, so they join only with ``train_perturbations=True``, each
    alone (plus none). Test-time perturbations run at their default strength, except those
    registered with ``all_installed=False`` (named only explicitly). ``models``
    restricts the models to those named.
    """
    from robustkit.pretrained import is_pretrained

    host = host or get_host()
    reg = host.registry
    spec = reg.get(Kind.DATASET, dataset.name)
    task: Task = spec.tasks[0]
    modality = spec.modalities[0]
    fitting = [s.name for s in reg.specs(Kind.MODEL)  # a pretrained one needs its file
               if task in s.tasks and modality in s.modalities and not is_pretrained(s)]
    if models:
        unfit = sorted(set(models) - set(fitting))
        if unfit:
            raise ConfigError(f"model(s) {unfit} do not fit dataset '{dataset.name}'; "
                              f"installed models that do: {', '.join(fitting)}")
        fitting = [m for m in fitting if m in models]
    models = [ComponentRef(name=n) for n in fitting]
    if not models:
        raise ConfigError(f"no installed model serves dataset '{dataset.name}' "
                          f"({task.value}, {modality.value} inputs)")
    defenses = [[]] + [[ComponentRef(name=s.name)] for s in reg.specs(Kind.DEFENSE)
                       if task in s.tasks]
    train_perts: list[list[ComponentRef]] = [[]]
    if train_perturbations:
        train_perts += [[ComponentRef(name=s.name)] for s in reg.specs(Kind.PERTURBATION)
                        if task in s.tasks and Target.TEST_INPUTS not in s.targets
                        and s.needs is Needs.NOTHING]
    # adapters over whole peer libraries (art-*, ta-*) opt out with
    # all_installed=False: their defaults are tuned for ImageNet-sized budgets
    perts = [ComponentRef(name=s.name) for s in reg.specs(Kind.PERTURBATION)
             if task in s.tasks and Target.TEST_INPUTS in s.targets
             and s.all_installed]
    values = dict(name=f"all-installed-{dataset.name}", datasets=[dataset], models=models,
                  defenses=defenses, train_perturbations=train_perts, perturbations=perts)
    values.update({k: v for k, v in overrides.items() if v is not None})
    return Sweep.model_validate(values)
