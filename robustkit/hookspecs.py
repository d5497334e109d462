"""Every hook robustkit calls. Each docstring here is that hook's reference documentation.

A plugin is any module (usually named by an entry point in the ``robustkit`` group) that
defines functions with these names, decorated with :data:`robustkit.hookimpl`::

    from robustkit import hookimpl

    @hookimpl
    def robustkit_register_defenses(register):
        register("my-defense", "my_pkg.defense:MyDefense", params=MyParams,
                 tasks=["classification"], form="model-wrapper")

Register hooks are called once per process, each plugin in isolation: an exception in one
plugin's hook marks that plugin as failed (shown by ``robustkit plugins``) and never stops the
others. Lifecycle hooks are called for every plugin that implements them; their return values
are ignored.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

import pluggy

if TYPE_CHECKING:
    from collections.abc import Callable

    from robustkit.config import PipelineConfig
    from robustkit.report import Report
    from robustkit.result import PipelineResult

PROJECT = "robustkit"
hookspec = pluggy.HookspecMarker(PROJECT)


class Register(Protocol):
    """The callable passed to every ``robustkit_register_*`` hook.

    ``register(name, factory, *, params=None, tasks=(...), summary="", **kind_options)``

    :param name: the component's name, unique within its kind (lower-case, dashes).
    :param factory: a callable, or a lazy ``"module:attr"`` string imported only when the
        component is first built, that takes the validated params model and returns the
        component object.
    :param params: a pydantic model of the parameters, with defaults, bounds and descriptions.
    :param tasks: the tasks the component serves (``robustkit.Task`` values or their names).
    :param summary: one line shown by ``robustkit list``.
    """

    def __call__(self, name: str, factory: Any, **options: Any) -> None: ...


@hookspec
def robustkit_register_datasets(register: Register) -> None:
    """Register data sets.

    Extra options: ``modality`` (``image``, ``vector`` or ``sequence``) and ``tasks`` (exactly
    one task: the task its labels define).

    The factory's object must have ``load(seed: int) -> robustkit.DataBundle``: train and test
    tensors plus a :class:`robustkit.DataInfo` stating task, input shape, value bounds and the
    number of classes.

    :param register: the :class:`Register` callable.
    """


@hookspec
def robustkit_register_models(register: Register) -> None:
    """Register model architectures.

    Extra option: ``modalities`` (the input modalities the model accepts).

    The factory's object must have ``build(info: DataInfo) -> torch.nn.Module``, whose output
    width is ``info.output_size``. The kernel seeds torch before calling ``build``.

    A module whose task needs a loss other than the default (cross-entropy for
    classification-like tasks, MSE otherwise) defines
    ``training_loss(outputs, targets) -> scalar tensor``: detection heads, CTC models and
    image-to-image networks do. The trainer uses it whenever no training defense supplies a loss.

    :param register: the :class:`Register` callable.
    """


@hookspec
def robustkit_register_perturbations(register: Register) -> None:
    """Register perturbations: noise, corruptions, attacks, label noise.

    Extra options:

    - ``needs``: what the perturbation needs of the model: ``nothing``, ``scores`` (receives a
      query function returning scores only) or ``gradients`` (receives the module).
    - ``targets``: what it changes: ``test-inputs``, ``train-inputs`` and/or ``train-labels``.
    - ``strength``: the name of the param that measures its strength (``eps``, ``severity``);
      a config may give a list for it to get a robustness curve.

    The factory's object must have ``perturb(x, y, ctx: robustkit.PerturbContext) -> Tensor``
    returning the perturbed inputs (or labels, for ``train-labels``), the same shape as what
    it changes, inside ``ctx.info.bounds``.

    :param register: the :class:`Register` callable.
    """


@hookspec
def robustkit_register_defenses(register: Register) -> None:
    """Register defenses.

    Extra options: ``form`` (``training``, ``input-transform`` or ``model-wrapper``) and
    ``differentiable`` (``False`` when gradients cannot flow through the defended model;
    gradient attacks are then refused at validation).

    The factory's object implements, by form:

    - ``training``: ``train(model, data, trainer, ctx) -> nn.Module``; ``trainer`` is the
      kernel's :class:`robustkit.Trainer`, which the defense may call with its own loss. If the
      returned module has another structure than ``model`` (a wrapper), also implement
      ``rebuild(model, ctx) -> nn.Module`` returning that structure untrained, so cached
      weights can be loaded into it; without it such a model is retrained on every run.
    - ``input-transform``: ``transform(x) -> x`` (and optionally ``fit(data, ctx)``).
    - ``model-wrapper``: ``wrap(model, ctx) -> nn.Module``.

    :param register: the :class:`Register` callable.
    """


@hookspec
def robustkit_register_metrics(register: Register) -> None:
    """Register metrics.

    Extra option: ``higher_is_better`` (default ``True``).

    The factory's object must have ``compute(ev: robustkit.Evaluation) -> float | dict``;
    a dict reports several named values (stored as ``metric.key``). An empty evaluation must
    give ``nan``, not an exception.

    :param register: the :class:`Register` callable.
    """


@hookspec
def robustkit_register_executors(register: Register) -> None:
    """Register executors, which run the independent cells of a sweep.

    The factory's object must have ``map(fn, items) -> Iterator`` yielding ``fn(item)`` for
    every item (in any order, each result tagged by the caller) and ``close()``.

    :param register: the :class:`Register` callable.
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
    :param cells: how many cells the sweep has; ``done`` of them finished earlier.
    """


@hookspec
def robustkit_sweep_cell_end(sweep_id: str, cell_key: str, run_id: str | None, status: str,
                             store_path: str) -> None:
    """Called in the driver process as soon as a cell's outcome arrives.

    :param cell_key: the cell's key.
    :param run_id: the run the cell stored (``None`` if it failed before storing one).
    :param status: ``done`` or ``failed``.
    """


@hookspec
def robustkit_sweep_end(sweep_id: str, store_path: str, status: str) -> None:
    """Called in the driver process when a sweep stops, also when it is interrupted.

    :param status: ``done``, ``failed`` (some cells failed) or ``interrupted`` (an exception
        or a signal stopped the driver; the finished cells are stored).
    """
