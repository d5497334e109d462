"""One adapter per component kind: how the kernel calls a component of that kind.

The pipeline stages and the contract tests (:mod:`robustkit.testing`) both call components
through these functions, so a contract exercises exactly what a run does: what a perturbation
may see of the model, how each defense form is applied, how a metric's value is read. Errors
are left to the caller, which knows which component and stage to name.
"""

from __future__ import annotations

import math
import numbers
from typing import TYPE_CHECKING, Any

from robustkit.components import DefenseForm, Needs, Task

if TYPE_CHECKING:
    from torch import nn

    from robustkit.components import DataInfo
    from robustkit.data import DataBundle, DefenseContext, ScoreOracle
    from robustkit.trainer import Trainer


def score_oracle(model: nn.Module, info: DataInfo, batch_size: int) -> ScoreOracle:
    """A black-box view of ``model``: softmax scores for classification, raw outputs
    otherwise, computed without a graph and counting queries."""
    import torch

    from robustkit.data import ScoreOracle
    from robustkit.trainer import predict

    def scores(x: torch.Tensor) -> torch.Tensor:
        out = predict(model, x, batch_size)
        return torch.softmax(out, dim=-1) if info.task is Task.CLASSIFICATION else out

    return ScoreOracle(scores, num_classes=info.num_classes)


def model_access(needs: Needs, model: nn.Module, info: DataInfo, batch_size: int) -> Any:
    """What a perturbation receives as ``ctx.model``, by its registered ``needs``: nothing,
    a :class:`robustkit.ScoreOracle`, or the differentiable module itself."""
    if needs is Needs.GRADIENTS:
        return model
    if needs is Needs.SCORES:
        return score_oracle(model, info, batch_size)
    return None


def apply_defense(form: DefenseForm, defense: Any, model: nn.Module, data: DataBundle,
                  ctx: DefenseContext, trainer: Trainer | None = None) -> Any:
    """Apply one defense of ``form`` to ``model``; return what it returns (a module, if it
    keeps its contract). A training defense needs the kernel's ``trainer``; an input
    transform is fitted (if it has ``fit``) and put in front of the model."""
    if form is DefenseForm.TRAINING:
        if trainer is None:
            raise ValueError("a training defense needs the trainer")
        return defense.train(model, data, trainer, ctx)
    if form is DefenseForm.INPUT_TRANSFORM:
        from robustkit.wrappers import InputTransformModel

        if hasattr(defense, "fit"):
            defense.fit(data, ctx)
        return InputTransformModel(defense.transform, model)
    return defense.wrap(model, ctx)


class NotANumber(TypeError):
    """A metric value that is not one number: ``what`` shows it; ``several`` when it is a
    tensor of several elements (to be reduced), not text or another object."""

    def __init__(self, what: str, several: bool):
        super().__init__(what)
        self.what, self.several = what, several


def metric_number(value: Any) -> float | None:
    """One metric value as a float; ``None`` and NaN both mean "not defined here".

    A one-element tensor, array or NumPy scalar is read; ``True``, text and tensors of several
    elements are refused (:class:`NotANumber`), never coerced.
    """
    if value is None:
        return None
    shown = value
    if hasattr(value, "shape") and hasattr(value, "item"):  # a tensor, array or numpy scalar
        size = value.numel() if hasattr(value, "numel") else value.size
        if size != 1:
            raise NotANumber(f"a tensor of shape {tuple(value.shape)}", True)
        value = value.item()
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise NotANumber(f"{shown!r} ({type(shown).__name__})", False)
    number = float(value)
    return None if math.isnan(number) else number


def metric_items(value: Any) -> list[tuple[str | None, float | None]]:
    """A metric's ``compute`` result as ``(sub-name or None, float or None)`` pairs: a dict
    reports several named values. The pipeline (through :func:`robustkit.guard.metric_values`)
    and the contract tests read metric results with this one function.

    :raises NotANumber: a value is not one number, naming which value.
    """
    items = value.items() if isinstance(value, dict) else [(None, value)]
    out: list[tuple[str | None, float | None]] = []
    for key, v in items:
        try:
            out.append((key, metric_number(v)))
        except NotANumber as exc:
            raise NotANumber(f"{exc.what} for {key or 'its value'}", exc.several) from None
    return out
