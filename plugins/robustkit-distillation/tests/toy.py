"""A seeded toy task and a test-local model plugin for the distillation tests."""

from __future__ import annotations

import torch
from pydantic import Field
from torch import nn

from robustkit import DataInfo, Modality, Params, Task, TrainingConfig, hookimpl
from robustkit.data import DataBundle
from robustkit.trainer import Trainer

D = 40
INFO = DataInfo(Task.CLASSIFICATION, Modality.VECTOR, (D,), (0.0, 1.0), 2)


def make_data(n=800, seed=0):
    # one robust feature (margin 0.3) and many weak ones (margin 0.1): see the AT tests
    g = torch.Generator().manual_seed(seed)
    y = torch.randint(0, 2, (n,), generator=g)
    sign = y.float() * 2 - 1
    x = 0.5 + 0.1 * sign[:, None] * torch.ones(n, D) + 0.1 * torch.randn(n, D, generator=g)
    x[:, 0] = 0.5 + 0.3 * sign + 0.08 * torch.randn(n, generator=g)
    return x.clamp(0, 1), y


def bundle():
    x, y = make_data()
    return DataBundle(x[:600], y[:600], x[600:], y[600:], INFO)


class WidthParams(Params):
    width: int = Field(32, ge=1, le=4096)


class MLPBuilder:
    def __init__(self, params: WidthParams):
        self.width = params.width

    def build(self, info: DataInfo) -> nn.Module:
        return nn.Sequential(nn.Linear(info.input_shape[0], self.width), nn.ReLU(),
                             nn.Linear(self.width, info.output_size))


def model(width=32):
    torch.manual_seed(0)
    return MLPBuilder(WidthParams(width=width)).build(INFO)


def trainer(epochs=15, lr=0.01):
    return Trainer(TrainingConfig(epochs=epochs, lr=lr, batch_size=64), Task.CLASSIFICATION, 0)


@hookimpl
def robustkit_register_models(register):
    register("toy-mlp", MLPBuilder, params=WidthParams, tasks=["classification"],
             modalities=["vector"])
