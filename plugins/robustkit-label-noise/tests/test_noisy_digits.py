"""The claim, cheaply: at 80% symmetric noise on digits, AWL's final clean-test accuracy is
clearly above cross-entropy's with the same model, optimiser and epochs (one seed; the full
three-seed CNN protocol is benchmarks/label_noise.py, reported in docs/plugins/label-noise.md).
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from robustkit_label_noise.defenses import AWL
from robustkit_label_noise.label_noise import SymmetricNoise
from robustkit_label_noise.params import AWLParams, SymmetricParams

from robustkit import DataInfo, Modality, Task
from robustkit.config import TrainingConfig
from robustkit.data import DataBundle, DefenseContext, PerturbContext, make_generator
from robustkit.trainer import Trainer, predict

SEED = 0


@pytest.fixture(scope="module")
def noisy_digits() -> DataBundle:
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    raw = load_digits()
    x = (raw.data / 16.0).astype(np.float32)
    parts = train_test_split(x, raw.target, test_size=0.25, random_state=0, stratify=raw.target)
    x_tr, x_te, y_tr, y_te = (torch.as_tensor(p) for p in parts)
    info = DataInfo(Task.CLASSIFICATION, Modality.VECTOR, (64,), (0.0, 1.0), 10)
    data = DataBundle(x_tr, y_tr.long(), x_te, y_te.long(), info)
    ctx = PerturbContext(info=info, seed=SEED, generator=make_generator(SEED, "noise"))
    data.y_train = SymmetricNoise(SymmetricParams(rate=0.8)).perturb(x_tr, data.y_train, ctx)
    return data


def _mlp() -> torch.nn.Module:
    torch.manual_seed(SEED)
    return torch.nn.Sequential(torch.nn.Linear(64, 256), torch.nn.ReLU(),
                               torch.nn.Linear(256, 256), torch.nn.ReLU(),
                               torch.nn.Linear(256, 10))


def _accuracy(model, data) -> float:
    return float((predict(model, data.x_test).argmax(1) == data.y_test).float().mean())


@pytest.mark.slow
def test_awl_beats_cross_entropy_at_80_percent_noise(noisy_digits):
    torch.set_num_threads(1)
    # 40 epochs: long enough that cross-entropy fits the wrong labels and falls from its
    # early-epoch accuracy
    cfg = TrainingConfig(epochs=40, lr=1e-3, batch_size=64)
    trainer = Trainer(cfg, Task.CLASSIFICATION, SEED)
    ce = _accuracy(trainer.fit(_mlp(), noisy_digits.x_train, noisy_digits.y_train), noisy_digits)
    ctx = DefenseContext(noisy_digits.info, SEED)
    awl = _accuracy(AWL(AWLParams()).train(_mlp(), noisy_digits, Trainer(
        cfg, Task.CLASSIFICATION, SEED), ctx), noisy_digits)
    assert awl > ce + 0.12, f"AWL {awl:.3f} vs cross-entropy {ce:.3f}"
