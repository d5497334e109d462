from __future__ import annotations

import pytest
import torch
from torch import nn


@pytest.fixture(scope="module")
def trained():
    """A small seeded MLP trained on seeded two-class-per-cluster data in [0, 1]^8."""
    gen = torch.Generator().manual_seed(0)
    centers = torch.rand(4, 8, generator=gen)
    y = torch.randint(0, 4, (256,), generator=gen)
    x = (centers[y] + 0.08 * torch.randn(256, 8, generator=gen)).clamp(0, 1)
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(8, 32), nn.ReLU(), nn.Linear(32, 4))
    opt = torch.optim.Adam(model.parameters(), lr=0.02)
    for _ in range(150):
        opt.zero_grad()
        nn.functional.cross_entropy(model(x), y).backward()
        opt.step()
    return model.eval(), x[:64], y[:64]


@pytest.fixture
def ctx_for():
    from robustkit import DataInfo
    from robustkit.components import Modality, Task
    from robustkit.data import PerturbContext, make_generator

    def make(model, seed=0):
        info = DataInfo(task=Task.CLASSIFICATION, modality=Modality.VECTOR, input_shape=(8,),
                        bounds=(0.0, 1.0), num_classes=4)
        return PerturbContext(info=info, seed=seed, generator=make_generator(seed, "t"),
                              model=model)

    return make
