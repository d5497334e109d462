"""The train stage: build the model under the init seed, then train it with the kernel's loop
or the training defenses in turn — or load it from the model cache by its fingerprint."""

from __future__ import annotations

import functools
import time
from dataclasses import dataclass
from typing import Any

from robustkit import guard
from robustkit.adapters import apply_defense
from robustkit.cache import ModelCache, fingerprint
from robustkit.components import DefenseForm
from robustkit.data import DataBundle, DefenseContext
from robustkit.errors import PluginError
from robustkit.plan import defense_forms
from robustkit.pretrained import confirm_content, is_pretrained, run_fingerprint
from robustkit.seeds import seed_everything
from robustkit.stages.context import RunContext


@dataclass
class Trained:
    model: Any
    fingerprint: str
    cached: bool


def defense_context(ctx: RunContext, data: DataBundle) -> DefenseContext:
    return DefenseContext(info=data.info, seed=ctx.seeds.context, device=ctx.options.device,
                          registry=ctx.host.registry)


def model_fingerprint(ctx: RunContext, data: DataBundle) -> str:
    """The model-cache key: everything the trained weights depend on."""
    import torch

    plan, opts = ctx.plan, ctx.options
    parts = {
        "dataset": [plan.dataset.name, plan.dataset.params_dict()],
        "model": [plan.model.name, plan.model.params_dict()],
        "train_perturbations": [[r.name, r.params_dict()] for r in plan.train_perturbations],
        "training_defenses": [
            [r.name, r.params_dict()] for r in defense_forms(plan)[DefenseForm.TRAINING]
        ],
        "training": opts.training.model_dump(),
        "seed": opts.seed,
        "versions": {
            r.spec.plugin: r.spec.version
            for r in [plan.dataset, plan.model, *plan.train_perturbations, *plan.defenses]
        },
        "torch": torch.__version__,
        "threads": opts.threads,
        "data_shape": list(data.x_train.shape),
    }
    return fingerprint(parts)


def train(ctx: RunContext, data: DataBundle) -> Trained:
    import torch

    from robustkit.trainer import Trainer

    t = time.perf_counter()
    opts = ctx.options
    r = ctx.plan.model
    builder = r.build()
    seed_everything(ctx.seeds.init)
    model = ctx.call(r, "building the model", lambda: builder.build(data.info))
    if not isinstance(model, torch.nn.Module):
        raise PluginError(f"{r.spec.label}: build() must return a torch.nn.Module")
    model.to(opts.device)
    if is_pretrained(r.spec):  # evaluated as given: nothing trained, nothing cached
        confirm_content(ctx.plan, builder)
        model.eval()
        ctx.stage("train", t, cached=False, skipped="pretrained")
        return Trained(model, run_fingerprint(ctx.plan), False)
    key = model_fingerprint(ctx, data)
    cache = ModelCache(ctx.writer.store.path.parent / "cache") if opts.cache else None
    training = defense_forms(ctx.plan)[DefenseForm.TRAINING]
    dctx = defense_context(ctx, data)
    if cache is not None:
        shell = model
        for d in training:  # the deployed structure, if a defense changes it
            defense = d.build()
            if hasattr(defense, "rebuild"):
                shell = ctx.call(d, "rebuilding", lambda df=defense, m=shell: df.rebuild(m, dctx))
        if cache.load(key, shell):
            shell.eval()
            ctx.stage("train", t, cached=True)
            return Trained(shell, key, True)
    trainer = Trainer(opts.training, data.info.task, seed=ctx.seeds.trainer, device=opts.device)
    if not training:
        model = trainer.fit(model, data.x_train, data.y_train)
    for d in training:  # each training defense receives the previous one's model
        defense = d.build()
        seed_everything(ctx.seeds.defense(d.name))
        model = guard.call(d, "training", functools.partial(apply_defense, DefenseForm.TRAINING),
                           defense, model, data, dctx, trainer)
        if not isinstance(model, torch.nn.Module):
            raise PluginError(f"{d.spec.label}: train() must return a torch.nn.Module")
    model.eval()
    if cache is not None:
        cache.save(key, model)
    ctx.stage("train", t, cached=False)
    return Trained(model, key, False)
