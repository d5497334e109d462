"""Exact mode reproduces torchattacks 3.5.1 (random start off) to 1e-5.

Skipped when torchattacks is absent; the tox env ``attacks-peers`` installs it with
``--no-deps`` (it declares torchvision, which robustkit never installs).
"""

from __future__ import annotations

import pytest
import torch
from torch import nn

torchattacks = pytest.importorskip("torchattacks")

from robustkit_attacks import bim, fgsm, mim, pgd  # noqa: E402

EPS, ALPHA, STEPS = 8 / 255, 2 / 255, 10


@pytest.fixture(scope="module")
def rgb_model():
    torch.manual_seed(0)
    return nn.Sequential(
        nn.Conv2d(3, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.AdaptiveAvgPool2d(4), nn.Flatten(),
        nn.Linear(16 * 4 * 4, 10)).eval()


@pytest.fixture(scope="module")
def rgb_batch():
    gen = torch.Generator().manual_seed(1)
    return torch.rand(48, 3, 32, 32, generator=gen), torch.randint(0, 10, (48,), generator=gen)


def _pairs(model):
    return {
        "fgsm": (lambda x, y, **k: fgsm(model, x, y, eps=EPS, exact=True, **k),
                 torchattacks.FGSM(model, eps=EPS)),
        "bim": (lambda x, y, **k: bim(model, x, y, eps=EPS, alpha=ALPHA, steps=STEPS,
                                      exact=True, **k),
                torchattacks.BIM(model, eps=EPS, alpha=ALPHA, steps=STEPS)),
        "pgd": (lambda x, y, **k: pgd(model, x, y, eps=EPS, alpha=ALPHA, steps=STEPS,
                                      random_start=False, exact=True, **k),
                torchattacks.PGD(model, eps=EPS, alpha=ALPHA, steps=STEPS, random_start=False)),
        "pgd-l2": (lambda x, y, **k: pgd(model, x, y, eps=1.0, alpha=0.2, steps=STEPS,
                                         norm="l2", random_start=False, exact=True, **k),
                   torchattacks.PGDL2(model, eps=1.0, alpha=0.2, steps=STEPS,
                                      random_start=False)),
        "mim": (lambda x, y, **k: mim(model, x, y, eps=EPS, alpha=ALPHA, steps=STEPS,
                                      decay=1.0, exact=True, **k),
                torchattacks.MIFGSM(model, eps=EPS, alpha=ALPHA, steps=STEPS, decay=1.0)),
    }


@pytest.mark.parametrize("name", ["fgsm", "bim", "pgd", "pgd-l2", "mim"])
def test_untargeted_matches_torchattacks(rgb_model, rgb_batch, name):
    x, y = rgb_batch
    ours, ref = _pairs(rgb_model)[name]
    expected = ref(x, y)
    got = ours(x, y)
    assert float((got - expected).abs().max()) <= 1e-5
    assert not torch.equal(got, x)  # the comparison is not between two no-ops


@pytest.mark.parametrize("name", ["fgsm", "bim", "pgd", "pgd-l2", "mim"])
def test_targeted_matches_torchattacks(rgb_model, rgb_batch, name):
    x, y = rgb_batch
    targets = (y + 1) % 10
    ours, ref = _pairs(rgb_model)[name]
    ref.set_mode_targeted_by_label(quiet=True)
    expected = ref(x, targets)
    got = ours(x, targets, targeted=True)
    assert float((got - expected).abs().max()) <= 1e-5


def test_recurrent_model_matches_torchattacks_pgd(gru, gru_data):
    # torchattacks assumes 4-D inputs only in MIM and PGD-L2; PGD works on sequences
    x, y = gru_data
    expected = torchattacks.PGD(gru, eps=0.1, alpha=0.02, steps=5, random_start=False)(x, y)
    got = pgd(gru, x, y, eps=0.1, alpha=0.02, steps=5, random_start=False, exact=True)
    assert float((got - expected).abs().max()) <= 1e-5
