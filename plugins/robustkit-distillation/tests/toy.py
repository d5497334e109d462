"""A seeded toy task and a test-local model plugin for the distillation tests."""

from __future__ import annotations

import torch
from pydantic import Field
from torch import nn

from robustkit import DataInfo, Params, Task, TrainingConfig, hookimpl
from robustkit.testing.synthetic import (
    ROBUST_AND_WEAK_DIM,
    ROBUST_AND_WEAK_INFO,
    robust_and_weak_features,
)
from robustkit.trainer import Trainer

D = ROBUST_AND_WEAK_DIM


def bundle():
    # one robust feature and many weak ones (see robustkit.testing.synthetic)
    return robust_and_weak_features()


INFO = ROBUST_AND_WEAK_INFO


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
    register.model("toy-mlp", MLPBuilder, params=WidthParams, tasks=["classification"],
                   modalities=["vector"])
