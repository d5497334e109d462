"""The defend stage: input transforms and model wrappers, in config order, around the
trained model (training defenses already ran in the train stage)."""

from __future__ import annotations

import time
from typing import Any

from robustkit.components import DefenseForm
from robustkit.data import DataBundle
from robustkit.stages.context import RunContext
from robustkit.stages.train import defense_context


def defend(ctx: RunContext, model: Any, data: DataBundle) -> Any:
    from robustkit.wrappers import InputTransformModel

    dctx = defense_context(ctx, data)
    for d in ctx.plan.defenses:
        if d.spec.form is DefenseForm.TRAINING:
            continue
        t = time.perf_counter()
        defense = d.build()
        if d.spec.form is DefenseForm.INPUT_TRANSFORM:
            if hasattr(defense, "fit"):
                ctx.call(d, "fitting", lambda df=defense: df.fit(data, dctx))
            model = InputTransformModel(defense.transform, model)
        else:
            model = ctx.call(d, "wrapping the model", lambda df=defense, m=model: df.wrap(m, dctx))
        model.eval()
        ctx.stage(f"defend:{d.name}", t)
    return model
