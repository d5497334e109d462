"""The component contracts: one :class:`typing.Protocol` per kind, each docstring its reference.

A factory registered for a kind takes the validated params model and returns an object of that
kind's protocol. The protocols are ``runtime_checkable``, so ``isinstance(obj, Perturbation)``
checks that the methods exist (not their signatures); the contract tests in
:mod:`robustkit.testing` check the behaviour. This module imports no torch.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

if TYPE_CHECKING:
    import torch
    from torch import nn

    from robustkit.components import DataInfo
    from robustkit.data import DataBundle, DefenseContext, Evaluation, PerturbContext
    from robustkit.trainer import Trainer


@runtime_checkable
class Dataset(Protocol):
    """A data set (``register.dataset``).

    ``load(seed)`` returns a :class:`robustkit.DataBundle`: train and test tensors plus a
    :class:`robustkit.DataInfo` stating task, modality, input shape, value bounds and the number
    of classes. The same seed must give the same tensors; the task and modality in the
    DataInfo must be those registered.
    """

    def load(self, seed: int) -> DataBundle: ...


@runtime_checkable
class ModelBuilder(Protocol):
    """A model architecture (``register.model``).

    ``build(info)`` returns an untrained ``torch.nn.Module`` whose output width is
    ``info.output_size``; the kernel seeds torch before calling it. A module whose task needs a
    loss other than the default (cross-entropy for classification-like tasks, MSE otherwise)
    defines ``training_loss(outputs, targets) -> scalar tensor``.
    """

    def build(self, info: DataInfo) -> nn.Module: ...


@runtime_checkable
class Perturbation(Protocol):
    """Noise, a corruption, an attack or label noise (``register.perturbation``).

    ``perturb(x, y, ctx)`` returns the perturbed inputs (or labels, for ``train-labels``
    targets): a new tensor of the same shape as what it changes, inside ``ctx.info.bounds``.
    It must not modify ``x`` or ``y`` in place. Every random number comes from
    ``ctx.generator``; ``ctx.model`` is ``None``, a score oracle or the module, as the
    registered ``needs`` says. Per-sample facts for metrics go into ``ctx.stats``.
    """

    def perturb(self, x: torch.Tensor, y: torch.Tensor, ctx: PerturbContext) -> torch.Tensor:
        ...


@runtime_checkable
class TrainingDefense(Protocol):
    """A defense that trains the model (``register.training_defense``).

    ``train(model, data, trainer, ctx)`` returns the trained module; ``trainer`` is the
    kernel's :class:`robustkit.Trainer`, which it may call with its own loss. If the returned
    module has another structure than ``model`` (a wrapper), also define
    ``rebuild(model, ctx) -> nn.Module`` returning that structure untrained, so cached weights
    can be loaded into it; without it such a model is retrained on every run.
    """

    def train(self, model: nn.Module, data: DataBundle, trainer: Trainer,
              ctx: DefenseContext) -> nn.Module: ...


@runtime_checkable
class InputTransform(Protocol):
    """A defense applied to inputs at evaluation only (``register.input_transform``).

    ``transform(x)`` returns inputs of the same shape inside the data bounds; it may define
    ``fit(data, ctx)``, called once before evaluation. Register ``differentiable=False`` when
    gradients cannot flow through it: gradient attacks are then refused at validation.
    """

    def transform(self, x: torch.Tensor) -> torch.Tensor: ...


@runtime_checkable
class ModelWrapper(Protocol):
    """A defense that wraps the trained model (``register.model_wrapper``).

    ``wrap(model, ctx)`` returns a module mapping inputs to outputs like ``model``.
    """

    def wrap(self, model: nn.Module, ctx: DefenseContext) -> nn.Module: ...


@runtime_checkable
class Metric(Protocol):
    """A metric (``register.metric``).

    ``compute(ev)`` returns a float, or a dict of named floats (stored as ``metric.key``), from
    a :class:`robustkit.Evaluation`. An empty evaluation gives ``nan``, not an exception.
    """

    def compute(self, ev: Evaluation) -> float | dict[str, float]: ...


@runtime_checkable
class Executor(Protocol):
    """Runs the independent cells of a sweep (``register.executor``).

    ``map(fn, items)`` yields ``fn(item)`` for every item, in any order (each result is tagged
    by the caller); ``close()`` releases its workers.
    """

    def map(self, fn: Callable[[Any], Any], items: Iterable[Any]) -> Iterator[Any]: ...

    def close(self) -> None: ...
