"""One adapter per component kind: how the kernel calls a component of that kind.

The pipeline stages and the contract tests (:mod:`robustkit.testing`) both call components
through these functions, so a contract exercises exactly what a run does: what a perturbation
may see of the model, how each defense form is applied, how a metric's value is read. Errors
are left to the caller, which knows which component and stage to name.
"""

from __future__ import annotations

import math
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


def metric_items(value: Any) -> list[tuple[str | None, float | None]]:
    """A metric's ``compute`` result as ``(sub-name or None, float or None)`` pairs: a dict
    reports several named values; ``None`` and NaN both mean "not defined here".

    :raises TypeError: a value is not a number (text, a tensor of several elements), naming
        which value.
    """
    items = value.items() if isinstance(value, dict) else [(None, value)]
    out: list[tuple[str | None, float | None]] = []
    for key, v in items:
        try:
            number = None if v is None else float(v)
        except (TypeError, ValueError, RuntimeError):
            raise TypeError(f"{type(v).__name__} for {key or 'its value'}, not a number") from None
        out.append((key, None if number is None or math.isnan(number) else number))
    return out
