"""Every hook robustkit calls. Each docstring here is that hook's reference documentation.

A plugin is any module (usually named by an entry point in the ``robustkit`` group) that
defines functions with these names, decorated with :data:`robustkit.hookimpl`::

    from robustkit import hookimpl

    @hookimpl
    def robustkit_register_defenses(register):
        register.model_wrapper("my-defense", "my_pkg.defense:MyDefense", params=MyParams,
                               tasks=["classification"], summary="...")

Hooks are called through pluggy, so a function without ``@hookimpl`` is never called
(``robustkit plugins`` warns about it) and ``tryfirst``/``trylast``/wrappers work as in any
pluggy project. Register hooks are called once per process, each plugin in isolation: an
exception in one plugin's hook marks that plugin as failed (shown by ``robustkit plugins``) and
withdraws what it registered, never stopping the others. Lifecycle hooks are called for every
plugin that implements them; their return values are ignored.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    from collections.abc import Callable

    from robustkit.config import PipelineConfig
    from robustkit.registrar import Registrar
    from robustkit.report import Report
    from robustkit.result import PipelineResult

PROJECT = "robustkit"
hookspec = pluggy.HookspecMarker(PROJECT)


@hookspec
def robustkit_register_datasets(register: Registrar) -> None:
    """Register data sets with ``register.dataset(name, factory, *, task, modality, params,
    summary, check)``; the factory's object is a :class:`robustkit.Dataset`.

    :param register: the :class:`robustkit.Registrar`.
    """


@hookspec
def robustkit_register_models(register: Registrar) -> None:
    """Register model architectures with ``register.model(name, factory, *, modalities,
    params, tasks, summary, check)``; the factory's object is a
    :class:`robustkit.ModelBuilder`.

    :param register: the :class:`robustkit.Registrar`.
    """


@hookspec
def robustkit_register_perturbations(register: Registrar) -> None:
    """Register noise, corruptions, attacks and label noise with
    ``register.perturbation(name, factory, *, needs, targets, strength, threat, params, tasks,
    summary, check, all_installed)``; the factory's object is a
    :class:`robustkit.Perturbation`. ``threat=robustkit.Threat(norm=..., iterative=...,
    unbounded=...)`` states what the integrity checks compare.

    :param register: the :class:`robustkit.Registrar`.
    """


@hookspec
def robustkit_register_defenses(register: Registrar) -> None:
    """Register defenses, one method per form: ``register.training_defense`` (a
    :class:`robustkit.TrainingDefense`), ``register.input_transform`` (a
    :class:`robustkit.InputTransform`, applied at evaluation only) and
    ``register.model_wrapper`` (a :class:`robustkit.ModelWrapper`). The last two take
    ``differentiable`` (default ``True``; ``False`` refuses gradient attacks at validation).
    Defenses compose in the order the config lists them.

    :param register: the :class:`robustkit.Registrar`.
    """


@hookspec
def robustkit_register_metrics(register: Registrar) -> None:
    """Register metrics with ``register.metric(name, factory, *, higher_is_better, params,
    tasks, summary, check)``; the factory's object is a :class:`robustkit.Metric`.

    :param register: the :class:`robustkit.Registrar`.
    """


@hookspec
def robustkit_register_executors(register: Registrar) -> None:
    """Register executors, which run the independent cells of a sweep, with
    ``register.executor(name, factory, *, params, summary)``; the factory's object is a
    :class:`robustkit.Executor`.

    :param register: the :class:`robustkit.Registrar`.
    """


@hookspec
def robustkit_pipeline_start(run_id: str, config: PipelineConfig) -> None:
    """Called when a pipeline starts, after validation and before loading any data.

    :param run_id: the id the results store gave the run.
    :param config: the validated pipeline config.
    """


@hookspec
def robustkit_stage_end(run_id: str, stage: str, seconds: float, details: dict[str, Any]) -> None:
    """Called after each pipeline stage: ``data``, ``train``, ``defend`` and one
    ``evaluate:<label>`` per perturbation setting.

    :param run_id: the run's id.
    :param stage: the stage's name.
    :param seconds: wall time the stage took.
    :param details: stage facts, e.g. ``{"metrics": {...}}`` after an evaluation or
        ``{"cached": True}`` when a trained model came from the cache.
    """


@hookspec
def robustkit_pipeline_end(
    run_id: str, result: PipelineResult, report: Callable[..., Report]
) -> None:
    """Called once a pipeline's results are stored.

    :param run_id: the run's id.
    :param result: the :class:`robustkit.PipelineResult` (config, metric rows, flags,
        timings, store path).
    :param report: ``report(metric=None)`` builds this run's report card
        (``robustkit.report.Report``; render it with ``.markdown()`` or ``.html()``) from the
        run's open store, on the calling thread; its headline metric is ``metric``, else
        accuracy if the run has it, else the run's first metric. Call it inside the hook:
        the store may be closed once the hook returns. An implementation that does not name
        ``report`` is not passed it.
    """


@hookspec
def robustkit_sweep_start(sweep_id: str, name: str | None, store_path: str,
                          cells: int, done: int) -> None:
    """Called in the driver process when a sweep starts (or resumes), before any cell runs.

    Cells run in worker processes (process pool, Ray) where lifecycle hooks of the pipeline
    fire far from the driver and may be killed at shutdown; an exporter that must see every run
    should export from the driver through the sweep hooks, reading the results store.

    :param sweep_id: the sweep's id (a hash of its cells; the same on resume).
    :param name: the sweep's name from its config, if any.
    :param store_path: the SQLite results store the cells write to.
    :param cells: how many cells the sweep has.
    :param done: how many of them finished in an earlier run of the same sweep.
    """


@hookspec
def robustkit_sweep_cell_end(sweep_id: str, cell_key: str, run_id: str | None, status: str,
                             store_path: str) -> None:
    """Called in the driver process as soon as a cell's outcome arrives.

    :param sweep_id: the sweep's id.
    :param cell_key: the cell's key.
    :param run_id: the run the cell stored (``None`` if it failed before storing one).
    :param status: ``done`` or ``failed``.
    :param store_path: the results store holding the cell's run.
    """


@hookspec
def robustkit_sweep_end(sweep_id: str, store_path: str, status: str) -> None:
    """Called in the driver process when a sweep stops, also when it is interrupted.

    :param sweep_id: the sweep's id.
    :param store_path: the results store of its cells.
    :param status: ``done``, ``failed`` (some cells failed) or ``interrupted`` (an exception
        or a signal stopped the driver; the finished cells are stored).
    """
