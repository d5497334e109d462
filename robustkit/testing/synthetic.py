"""Small seeded data and a tiny model for the contracts, so they need no other plugin.

The data is learnable (each class is a noisy prototype) so that training defenses have
something to fit, and small enough that every contract runs in well under a second.
"""

from __future__ import annotations

import random
from typing import TYPE_CHECKING

import numpy as np

from robustkit.components import DataInfo, Modality, Task
from robustkit.data import DataBundle, PerturbContext, make_generator

if TYPE_CHECKING:
    import torch
    from torch import nn

SHAPES: dict[Modality, tuple[int, ...]] = {
    Modality.IMAGE: (1, 8, 8),
    Modality.VECTOR: (16,),
    Modality.SEQUENCE: (12, 4),
}
NUM_CLASSES = 4


def synthetic_bundle(
    seed: int = 0,
    *,
    task: Task = Task.CLASSIFICATION,
    modality: Modality = Modality.IMAGE,
    bounds: tuple[float, float] = (0.0, 1.0),
    n_train: int = 128,
    n_test: int = 48,
) -> DataBundle:
    """Noisy class prototypes inside ``bounds``; regression targets are a fixed projection."""
    import torch

    gen = make_generator(seed, "contract-data")
    shape = SHAPES[modality]
    lo, hi = bounds
    prototypes = torch.rand((NUM_CLASSES, *shape), generator=gen)

    def draw(n: int) -> tuple[torch.Tensor, torch.Tensor]:
        y = torch.arange(n) % NUM_CLASSES
        x = (prototypes[y] + 0.15 * torch.randn((n, *shape), generator=gen)).clamp(0, 1)
        return lo + x * (hi - lo), y

    x_tr, y_tr = draw(n_train)
    x_te, y_te = draw(n_test)
    if task is Task.CLASSIFICATION:
        info = DataInfo(task, modality, shape, bounds, num_classes=NUM_CLASSES)
    elif task is Task.REGRESSION:
        w = torch.randn(int(np.prod(shape)), 1, generator=gen)
        y_tr, y_te = x_tr.flatten(1) @ w, x_te.flatten(1) @ w
        info = DataInfo(task, modality, shape, bounds, output_dim=1)
    else:
        raise ValueError(f"no synthetic data for task {task.value}")
    return DataBundle(x_tr, y_tr, x_te, y_te, info)


class TinyNet:
    """Builds a two-layer MLP for any input shape; the model the contracts attack and defend."""

    def __call__(self, info: DataInfo) -> nn.Module:
        from torch import nn

        return nn.Sequential(nn.Flatten(), nn.Linear(int(np.prod(info.input_shape)), 32),
                             nn.ReLU(), nn.Linear(32, info.output_size))


def seed_everything(seed: int) -> None:
    """Seed every global generator, as the kernel does before building and training."""
    import torch

    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)


def scramble_global_rng(salt: int) -> None:
    """Put the global generators in a state unrelated to the component's seed.

    Two runs with the same component seed but different scrambles must agree; if they do not,
    the component draws from a global generator instead of the seed it was given.
    """
    seed_everything(10_007 * (salt + 1))


def same(a: object, b: object) -> bool:
    """Exact equality of tensors, nested dicts/lists of tensors, or plain values."""
    import torch

    if isinstance(a, torch.Tensor) and isinstance(b, torch.Tensor):
        return a.shape == b.shape and a.dtype == b.dtype and bool(
            torch.equal(a.detach().cpu(), b.detach().cpu()))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, float) and isinstance(b, float) and np.isnan(a) and np.isnan(b):
        return True
    return a == b


def trained_cluster_mlp(seed: int = 0) -> tuple[nn.Module, torch.Tensor, torch.Tensor]:
    """A small MLP trained on four seeded clusters in [0, 1]^8, and 64 of its training points:
    a model attacks can be checked against without any data or model plugin."""
    import torch
    from torch import nn

    gen = torch.Generator().manual_seed(seed)
    centers = torch.rand(4, 8, generator=gen)
    y = torch.randint(0, 4, (256,), generator=gen)
    x = (centers[y] + 0.08 * torch.randn(256, 8, generator=gen)).clamp(0, 1)
    torch.manual_seed(seed)
    model = nn.Sequential(nn.Linear(8, 32), nn.ReLU(), nn.Linear(32, 4))
    opt = torch.optim.Adam(model.parameters(), lr=0.02)
    for _ in range(150):
        opt.zero_grad()
        nn.functional.cross_entropy(model(x), y).backward()
        opt.step()
    return model.eval(), x[:64], y[:64]


def vector_context(model: object, seed: int = 0) -> PerturbContext:
    """The PerturbContext a pipeline would give an attack on :func:`trained_cluster_mlp`."""
    info = DataInfo(task=Task.CLASSIFICATION, modality=Modality.VECTOR, input_shape=(8,),
                    bounds=(0.0, 1.0), num_classes=4)
    return PerturbContext(info=info, seed=seed, generator=make_generator(seed, "t"),
                          model=model)


ROBUST_AND_WEAK_DIM = 40
ROBUST_AND_WEAK_INFO = DataInfo(Task.CLASSIFICATION, Modality.VECTOR, (ROBUST_AND_WEAK_DIM,),
                                (0.0, 1.0), num_classes=2)


def robust_and_weak_features(n_train: int = 600, n_test: int = 200,
                             seed: int = 0) -> DataBundle:
    """Two classes in [0, 1]^40 where the robust and the accurate solution differ, for
    adversarial-training and distillation tests: feature 0 separates the classes by a margin of
    0.3 (robust to L∞ ε < 0.3), the other 39 by 0.1 each (together very predictive, but an L∞
    attack with ε > 0.1 flips them all at once). Tsipras et al. (2019)'s construction."""
    import torch

    d, n = ROBUST_AND_WEAK_DIM, n_train + n_test
    g = torch.Generator().manual_seed(seed)
    y = torch.randint(0, 2, (n,), generator=g)
    sign = y.float() * 2 - 1
    x = 0.5 + 0.1 * sign[:, None] * torch.ones(n, d) + 0.1 * torch.randn(n, d, generator=g)
    x[:, 0] = 0.5 + 0.3 * sign + 0.08 * torch.randn(n, generator=g)
    x = x.clamp(0, 1)
    return DataBundle(x[:n_train], y[:n_train], x[n_train:], y[n_train:], ROBUST_AND_WEAK_INFO)
