"""A minimal plugin (data set, model, perturbation, metric) so the exporter's tests need only
the kernel and this plugin."""

from __future__ import annotations

import torch
from pydantic import Field

from robustkit import DataBundle, DataInfo, Params, hookimpl
from robustkit.components import Modality, Task


class ToyData:
    def __init__(self, params):
        pass

    def load(self, seed):
        g = torch.Generator().manual_seed(seed)
        x = torch.rand(200, 4, generator=g)
        y = (x[:, 0] > 0.5).long()
        info = DataInfo(task=Task.CLASSIFICATION, modality=Modality.VECTOR, input_shape=(4,),
                        num_classes=2)
        return DataBundle(x[:150], y[:150], x[150:], y[150:], info)


class Linear:
    def __init__(self, params):
        pass

    def build(self, info):
        return torch.nn.Linear(4, 2)


class ShiftParams(Params):
    amount: float = Field(0.1, ge=0, le=1, description="added to every input")


class Shift:
    def __init__(self, params):
        self.amount = params.amount

    def perturb(self, x, y, ctx):
        return (x + self.amount).clamp(0, 1)


class Accuracy:
    def __init__(self, params):
        pass

    def compute(self, ev):
        return float((ev.outputs.argmax(-1) == ev.y_true).float().mean())


class Broken:
    def __init__(self, params):
        pass

    def perturb(self, x, y, ctx):
        raise RuntimeError("boom")


@hookimpl
def robustkit_register_datasets(register):
    register.dataset("toy", ToyData, task="classification", modality="vector")


@hookimpl
def robustkit_register_models(register):
    register.model("linear", Linear, tasks=["classification"], modalities=["vector"])


@hookimpl
def robustkit_register_perturbations(register):
    register.perturbation("shift", Shift, params=ShiftParams, needs="nothing", strength="amount",
                          tasks=["classification"])
    register.perturbation("broken", Broken, needs="nothing", tasks=["classification"])


@hookimpl
def robustkit_register_metrics(register):
    register.metric("accuracy", Accuracy, tasks=["classification"])
