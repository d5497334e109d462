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
    from robustkit.config import PipelineConfig
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
    ``differentiable`` (default ``True``; declare ``False`` when gradients cannot flow through
    the defended model, and gradient attacks are then refused at validation).

    The factory's object implements, by form:

    - ``training``: ``train(model, data, trainer, ctx) -> nn.Module``; ``trainer`` is the
      kernel's :class:`robustkit.Trainer`, which the defense may call with its own loss. If the
      returned module has another structure than ``model`` (a wrapper), also implement
      ``rebuild(model, ctx) -> nn.Module`` returning that structure untrained, so cached
      weights can be loaded into it; without it such a model is retrained on every run.
    - ``input-transform``: ``transform(x) -> x`` (and optionally ``fit(data, ctx)``). The
      transform applies only at evaluation (clean and every perturbation, attacks seeing it in
      the model): the model is trained on untransformed inputs. It must keep the input's shape
      and must not change ``x`` in place; the kernel refuses either, naming the defense.
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
def robustkit_pipeline_end(run_id: str, result: PipelineResult) -> None:
    """Called once a pipeline's results are stored.

    :param run_id: the run's id.
    :param result: the :class:`robustkit.PipelineResult` (config, metric rows, timings).
    """
