"""The data stage: load the data set, check it states what it registered, then apply the
training-time perturbations."""

from __future__ import annotations

import time
from typing import Any

from robustkit import guard
from robustkit.components import Target
from robustkit.data import DataBundle, PerturbContext
from robustkit.errors import PluginError
from robustkit.stages.context import RunContext


def load_data(ctx: RunContext) -> DataBundle:
    t = time.perf_counter()
    r = ctx.plan.dataset
    dataset = r.build()
    bundle = ctx.call(r, "loading", lambda: dataset.load(ctx.seeds.data))
    if not isinstance(bundle, DataBundle):
        raise PluginError(f"{r.spec.label}: load() must return a robustkit.DataBundle")
    info = bundle.info
    if info.task is not ctx.plan.task:
        raise PluginError(
            f"{r.spec.label} registered task {ctx.plan.task.value} but its DataInfo says "
            f"{info.task.value}; the plugin must declare them alike"
        )
    if info.modality is not r.spec.modalities[0]:
        raise PluginError(
            f"{r.spec.label} registered modality {r.spec.modalities[0].value} but its "
            f"DataInfo says {info.modality.value}"
        )
    bundle.validate(r.spec.label)
    ctx.stage("data", t, train=int(bundle.x_train.shape[0]), test=int(bundle.x_test.shape[0]))
    return bundle


def perturb_training_data(ctx: RunContext, data: DataBundle) -> DataBundle:
    for r in ctx.plan.train_perturbations:
        t = time.perf_counter()
        pert = r.build()
        seed = ctx.seeds.train_perturbation(r.name)
        pctx = PerturbContext(info=data.info, seed=seed, generator=ctx.seeds.generator(seed),
                              device=ctx.options.device)
        if Target.TRAIN_LABELS in r.spec.targets:
            y = guard.call(r, "perturbing training labels", pert.perturb, data.x_train,
                           data.y_train, pctx)
            if y.shape != data.y_train.shape:
                raise PluginError(f"{r.spec.label} changed the label shape")
            guard.check_dtype(r, y, data.y_train, "labels")
            data.y_train = y
        else:
            x = guard.call(r, "perturbing training inputs", pert.perturb, data.x_train,
                           data.y_train, pctx)
            check_perturbed(r, x, data.x_train, data)
            guard.check_dtype(r, x, data.x_train, "inputs")
            data.x_train = x
        data.validate(f"training data after {r.spec.label}")
        ctx.stage(f"train-perturb:{r.name}", t)
    return data


def check_perturbed(r: Any, x: Any, original: Any, data: DataBundle) -> None:
    """A perturbation's output must keep the shape, stay finite and stay in the data bounds."""
    import torch

    if not isinstance(x, torch.Tensor) or x.shape != original.shape:
        shape = tuple(x.shape) if isinstance(x, torch.Tensor) else type(x).__name__
        raise PluginError(
            f"{r.spec.label} returned {shape}; expected a tensor of shape "
            f"{tuple(original.shape)}"
        )
    if x.is_floating_point() and not torch.isfinite(x).all():
        raise PluginError(f"{r.spec.label} produced NaN or infinite inputs")
    lo, hi = data.info.bounds
    if x.is_floating_point() and (x.min() < lo - 1e-5 or x.max() > hi + 1e-5):
        raise PluginError(
            f"{r.spec.label} left the data bounds [{lo}, {hi}]: values span "
            f"[{float(x.min()):.4g}, {float(x.max()):.4g}]"
        )
