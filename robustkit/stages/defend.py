"""The defend stage: input transforms and model wrappers, in config order, around the
trained model (training defenses already ran in the train stage)."""

from __future__ import annotations

import functools
import time
from typing import Any

from robustkit import guard
from robustkit.adapters import apply_defense
from robustkit.components import DefenseForm
from robustkit.data import DataBundle
from robustkit.stages.context import RunContext
from robustkit.stages.train import defense_context
from robustkit.wrappers import InputTransformModel


def defend(ctx: RunContext, model: Any, data: DataBundle) -> Any:
    dctx = defense_context(ctx, data)
    for d in ctx.plan.defenses:
        if d.spec.form is DefenseForm.TRAINING:
            continue
        t = time.perf_counter()
        defense = d.build()
        what = "fitting" if d.spec.form is DefenseForm.INPUT_TRANSFORM else "wrapping the model"
        model = guard.call(d, what, functools.partial(apply_defense, d.spec.form), defense,
                           model, data, dctx)
        if isinstance(model, InputTransformModel):  # errors and in-place edits name it
            model.guard = functools.partial(guard.transform, d)
        model.eval()
        ctx.stage(f"defend:{d.name}", t)
    return model
