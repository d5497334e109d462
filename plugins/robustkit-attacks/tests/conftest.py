"""Small seeded models and data for the attack tests (kernel and this plugin only)."""

from __future__ import annotations

import pytest
import torch
from torch import nn

CLASSES = 10


def prototype_images(n: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Seeded 1x8x8 images in [0, 1]: one fixed prototype per class plus noise."""
    protos = torch.rand(CLASSES, 1, 8, 8, generator=torch.Generator().manual_seed(123))
    gen = torch.Generator().manual_seed(seed)
    y = torch.randint(0, CLASSES, (n,), generator=gen)
    x = protos[y] + 0.25 * torch.randn(n, 1, 8, 8, generator=gen)
    return x.clamp(0, 1), y


def sequences(n: int, seed: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Seeded sequences (N x 12 x 3): the class sets the sign of a slow trend, plus noise."""
    gen = torch.Generator().manual_seed(seed)
    y = torch.randint(0, 2, (n,), generator=gen)
    t = torch.linspace(0, 1, 12).view(1, 12, 1)
    trend = (y.float() * 2 - 1).view(n, 1, 1) * t * 0.3
    x = 0.5 + trend + 0.1 * torch.randn(n, 12, 3, generator=gen)
    return x.clamp(0, 1), y


def train(model: nn.Module, x: torch.Tensor, y: torch.Tensor, epochs: int = 30) -> nn.Module:
    torch.manual_seed(0)
    opt = torch.optim.Adam(model.parameters(), lr=0.01)
    for _ in range(epochs):
        for i in range(0, x.shape[0], 64):
            loss = nn.functional.cross_entropy(model(x[i:i + 64]), y[i:i + 64])
            opt.zero_grad()
            loss.backward()
            opt.step()
    return model.eval()


class TinyCNN(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.net = nn.Sequential(
            nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.Flatten(),
            nn.Linear(16 * 4 * 4, CLASSES),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.net(x)


class GRUClassifier(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.gru = nn.GRU(3, 16, batch_first=True)
        self.head = nn.Linear(16, 2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out, _ = self.gru(x)
        return self.head(out[:, -1])


@pytest.fixture(scope="session")
def image_data():
    torch.manual_seed(0)
    x_tr, y_tr = prototype_images(640, seed=1)
    x_te, y_te = prototype_images(256, seed=2)
    return x_tr, y_tr, x_te, y_te


@pytest.fixture(scope="session")
def cnn(image_data):
    x_tr, y_tr, _, _ = image_data
    torch.manual_seed(0)
    return train(TinyCNN(), x_tr, y_tr, epochs=10)


@pytest.fixture(scope="session")
def gru():
    x, y = sequences(320, seed=3)
    torch.manual_seed(0)
    return train(GRUClassifier(), x, y, epochs=8)


def _accuracy(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> float:
    with torch.no_grad():
        return float((model(x).argmax(1) == y).float().mean())


@pytest.fixture(scope="session")
def accuracy():
    """``accuracy(model, x, y)``: share of argmax predictions equal to ``y``."""
    return _accuracy


@pytest.fixture(scope="session")
def gru_data():
    return sequences(200, seed=4)
