"""The contracts that build and read components: models, data sets, metrics and executors,
one function per (kind, check). Imports torch. The perturbation and defense contracts are in
:mod:`robustkit.testing.kinds`, which dispatches to both."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import torch
from torch import nn

from robustkit.adapters import metric_items
from robustkit.components import Kind, Task
from robustkit.data import DataBundle, Evaluation, make_generator
from robustkit.testing.failure import fail
from robustkit.testing.subject import OTHER_SEED, SEED, UNSEEDED_FIX, Subject
from robustkit.testing.synthetic import SHAPES, same, scramble_global_rng, seed_everything


# -- models -----------------------------------------------------------------------------------
def _model_cases(suite: Subject) -> list[DataBundle]:
    spec = suite.spec
    if suite.data is not None:
        return [suite.data(0)]
    from robustkit.testing.synthetic import synthetic_bundle

    task = suite.task()
    return [synthetic_bundle(0, task=task, modality=m, n_train=8, n_test=8)
            for m in spec.modalities if m in SHAPES]


def _build_model(suite: Subject, info: Any, seed: int, scramble: int = 0) -> nn.Module:
    builder = suite.build()
    scramble_global_rng(scramble)
    seed_everything(seed)  # the kernel seeds every generator before build()
    model = builder.build(info)
    if not isinstance(model, nn.Module):
        fail(suite.spec, "model-build", f"build(info) returned {type(model).__name__}",
             "return a torch.nn.Module")
    return model


def model_build(suite: Subject) -> None:
    spec = suite.spec
    for data in _model_cases(suite):
        info = data.info
        where = f"for {info.modality.value} inputs of shape {info.input_shape}"
        model = _build_model(suite, info, SEED)
        out = model.eval()(data.x_test)
        if tuple(out.shape) != (data.x_test.shape[0], info.output_size):
            fail(spec, "model-build", f"outputs have shape {tuple(out.shape)} {where}; expected "
                 f"(batch, {info.output_size})",
                 "size the output layer from info.output_size and the input from "
                 "info.input_shape")
        trainable = [p for p in model.parameters() if p.requires_grad]
        if not trainable:
            fail(spec, "model-build", f"the model {where} has no trainable parameters",
                 "register parameters as nn.Module attributes")
        model.train()(data.x_train).float().sum().backward()
        if all(p.grad is None for p in trainable):
            fail(spec, "model-build", f"no parameter receives a gradient {where}",
                 "do not detach the forward pass")


def model_seed(suite: Subject) -> None:
    for data in _model_cases(suite):
        a = _build_model(suite, data.info, SEED, scramble=1).state_dict()
        b = _build_model(suite, data.info, SEED, scramble=2).state_dict()
        if not same(dict(a), dict(b)):
            fail(suite.spec, "seed", "two builds after seeding with the same seed have different "
                 "weights", "initialise weights only with torch's generator (which the kernel "
                 "seeds) or one seeded from it")


def model_device(suite: Subject) -> None:
    for device in suite.devices():
        for data in _model_cases(suite):
            model = _build_model(suite, data.info, SEED).to(device).eval()
            with torch.no_grad():
                out = model(data.x_test.to(device))
            if out.device.type != torch.device(device).type:
                fail(suite.spec, "device", f"outputs land on {out.device} for inputs on {device}",
                     "create tensors in forward() on x.device, and register constant tensors "
                     "as buffers so that model.to(device) moves them")


# -- datasets ---------------------------------------------------------------------------------
def _load(suite: Subject, seed: int, scramble: int = 0) -> DataBundle:
    dataset = suite.build()
    scramble_global_rng(scramble)
    bundle = dataset.load(seed)
    if not isinstance(bundle, DataBundle):
        fail(suite.spec, "dataset-load", f"load(seed) returned {type(bundle).__name__}",
             "return a robustkit.DataBundle")
    return bundle


def dataset_load(suite: Subject) -> None:
    from robustkit.errors import DataError

    spec = suite.spec
    bundle = _load(suite, SEED)
    try:
        bundle.validate(spec.label)
    except DataError as exc:
        fail(spec, "dataset-load", str(exc), "make the tensors agree with the DataInfo")
    if bundle.info.task not in spec.tasks or bundle.info.modality is not spec.modalities[0]:
        fail(spec, "dataset-load",
             f"DataInfo says {bundle.info.task.value}/{bundle.info.modality.value} but the "
             f"component registered {[t.value for t in spec.tasks]}/"
             f"{spec.modalities[0].value}", "register the task and modality the data has")


def dataset_seed(suite: Subject) -> None:
    spec = suite.spec
    first, again = _load(suite, SEED, 1), _load(suite, SEED, 2)
    parts = ("x_train", "y_train", "x_test", "y_test")
    if not all(same(getattr(first, p), getattr(again, p)) for p in parts):
        fail(spec, "seed", "two loads with the same seed gave different tensors", UNSEEDED_FIX)
    if suite.stochastic:
        other = _load(suite, OTHER_SEED, 1)
        if all(same(getattr(first, p), getattr(other, p)) for p in parts):
            fail(spec, "seed", "it is declared stochastic but two seeds gave the same data",
                 "derive the split and any sampling from the seed passed to load()")


# -- metrics ----------------------------------------------------------------------------------
def _evaluation(suite: Subject, n: int, device: str = "cpu") -> Evaluation:
    data = suite.bundle(0)
    info = data.info
    x, y = data.x_test[:n].to(device), data.y_test[:n].to(device)
    gen = make_generator(SEED, "contract-outputs")
    width = info.output_size
    clean = torch.randn((x.shape[0], width), generator=gen).to(device)
    if info.task is Task.CLASSIFICATION and n:
        clean[torch.arange(n // 2), y[: n // 2]] += 3.0  # right on half the samples
    noisy = clean + 0.5 * torch.randn(clean.shape, generator=gen).to(device)
    return Evaluation(y, noisy, x, x, clean, info)


def _values(suite: Subject, ev: Evaluation, check: str, scramble: int = 0) -> dict:
    metric = suite.build()
    scramble_global_rng(scramble)
    try:
        value = metric.compute(ev)
    except Exception as exc:
        fail(suite.spec, check, f"compute() raised {type(exc).__name__}: {exc} on a batch of "
             f"{len(ev)}", "return float('nan') where the metric is undefined")
    try:
        items = metric_items(value)
    except TypeError as exc:
        fail(suite.spec, check, f"compute() returned {exc}", "return a float or a dict of floats")
    # None is how a metric says "not defined here", like NaN
    return {key or "": math.nan if v is None else v for key, v in items}


def metric_empty(suite: Subject) -> None:
    values = _values(suite, _evaluation(suite, 0), "metric-empty")
    if not all(math.isnan(v) for v in values.values()):
        fail(suite.spec, "metric-empty", f"an empty batch gave {values}, a number that means "
             "nothing", "return float('nan') when len(ev) == 0")


def metric_values(suite: Subject) -> None:
    values = _values(suite, _evaluation(suite, 32), "metric-values")
    bad = {k: v for k, v in values.items() if not math.isfinite(v)}
    if bad:
        fail(suite.spec, "metric-values", f"a batch of 32 with every class present gave {bad}",
             "return a finite value whenever the metric is defined")


def metric_seed(suite: Subject) -> None:
    ev = _evaluation(suite, 32)
    if not same(_values(suite, ev, "seed", 1), _values(suite, ev, "seed", 2)):
        fail(suite.spec, "seed", "the same evaluation scored twice gave different values",
             "a metric must be a function of the evaluation; " + UNSEEDED_FIX)


def metric_device(suite: Subject) -> None:
    for device in suite.devices():
        _values(suite, _evaluation(suite, 32, device), "device")


# -- executors --------------------------------------------------------------------------------
def executor_map(suite: Subject) -> None:
    executor = suite.build()
    try:
        results = sorted(executor.map(_square, list(range(6))))
    finally:
        executor.close()
    if results != [i * i for i in range(6)]:
        fail(suite.spec, "executor-map", f"map(fn, range(6)) yielded {results}",
             "yield fn(item) exactly once for every item")


def _square(i: int) -> int:
    return i * i


CHECKS: dict[tuple[Kind, str], Callable[[Subject], None]] = {
    (Kind.MODEL, "model-build"): model_build,
    (Kind.MODEL, "seed"): model_seed,
    (Kind.MODEL, "device"): model_device,
    (Kind.DATASET, "dataset-load"): dataset_load,
    (Kind.DATASET, "seed"): dataset_seed,
    (Kind.METRIC, "metric-empty"): metric_empty,
    (Kind.METRIC, "metric-values"): metric_values,
    (Kind.METRIC, "seed"): metric_seed,
    (Kind.METRIC, "device"): metric_device,
    (Kind.EXECUTOR, "executor-map"): executor_map,
}
