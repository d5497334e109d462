"""A seeded synthetic 10-class 8x8 image task and a small CNN trained on it, so these tests
need only the kernel and this plugin (no data-set or model plugin, no download)."""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from robustkit import DataInfo, Modality, Task
from robustkit.data import PerturbContext, ScoreOracle, make_generator

INFO = DataInfo(Task.CLASSIFICATION, Modality.IMAGE, (1, 8, 8), (0.0, 1.0), 10)


def make_data(n: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Class prototypes are smoothed random patterns; samples add noise and a one-pixel shift."""
    g = torch.Generator().manual_seed(1234)  # prototypes are fixed across splits
    protos = F.avg_pool2d(torch.rand(10, 1, 12, 12, generator=g), 3, stride=1, padding=0)[
        :, :, 1:9, 1:9]
    protos = (protos - protos.amin((2, 3), keepdim=True)) / (
        protos.amax((2, 3), keepdim=True) - protos.amin((2, 3), keepdim=True))
    g = torch.Generator().manual_seed(seed)
    y = torch.randint(0, 10, (n,), generator=g)
    x = protos[y] + 0.15 * torch.randn(n, 1, 8, 8, generator=g)
    shift = torch.randint(-1, 2, (n, 2), generator=g)
    x = torch.stack([xi.roll(tuple(s.tolist()), dims=(1, 2)) for xi, s in zip(x, shift,
                                                                             strict=True)])
    return x.clamp(0, 1), y


class TinyCNN(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = nn.Sequential(
            nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(32 * 4, 64), nn.ReLU(), nn.Linear(64, 10),
        )

    def forward(self, x):
        return self.net(x)


@pytest.fixture(scope="session")
def trained():
    """(model, x_test, y_test): 1000 training samples, a few epochs, seeded."""
    torch.manual_seed(0)
    x, y = make_data(1000, seed=1)
    model = TinyCNN()
    opt = torch.optim.Adam(model.parameters(), lr=3e-3)
    for _ in range(12):
        perm = torch.randperm(len(x))
        for i in range(0, len(x), 64):
            b = perm[i : i + 64]
            opt.zero_grad()
            F.cross_entropy(model(x[b]), y[b]).backward()
            opt.step()
    model.eval()
    for p in model.parameters():
        p.grad = None
    x_test, y_test = make_data(80, seed=2)
    with torch.no_grad():
        acc = (model(x_test).argmax(1) == y_test).float().mean()
    assert acc > 0.9, f"test model accuracy {acc:.3f}"  # a model worth attacking
    return model, x_test, y_test


def oracle_of(model: nn.Module) -> ScoreOracle:
    return ScoreOracle(lambda t: torch.softmax(model(t), -1), num_classes=10)


def context(model, seed: int = 0) -> PerturbContext:
    return PerturbContext(info=INFO, seed=seed, generator=make_generator(seed, "test"),
                          model=model)


def success(model, x, x_adv, y) -> tuple[torch.Tensor, torch.Tensor]:
    """(originally correct, success) masks, the plugin's definition."""
    with torch.no_grad():
        correct = model(x).argmax(1) == y
        fooled = model(x_adv).argmax(1) != y
    return correct, correct & fooled


@pytest.fixture(scope="session")
def kit():
    """The helpers above, as a fixture: test modules cannot import conftest under
    ``--import-mode=importlib``."""
    from types import SimpleNamespace

    return SimpleNamespace(INFO=INFO, context=context, oracle_of=oracle_of, success=success)
