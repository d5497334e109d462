"""The claim, cheaply: at 80% symmetric noise on digits, AWL's final clean-test accuracy is
clearly above cross-entropy's with the same model, optimiser and epochs (one seed; the full
three-seed CNN protocol is benchmarks/label_noise.py, reported in docs/plugins/label-noise.md).
"""

from __future__ import annotations

import pytest
import torch
from label_noise_helpers import mlp
from label_noise_helpers import noisy_digits as _noisy_digits
from robustkit_label_noise.defenses import AWL
from robustkit_label_noise.params import AWLParams

from robustkit import Task
from robustkit.config import TrainingConfig
from robustkit.data import DataBundle, DefenseContext
from robustkit.trainer import Trainer, predict

SEED = 0


@pytest.fixture(scope="module")
def noisy_digits() -> DataBundle:
    return _noisy_digits(SEED, 0.8)[0]


def _mlp() -> torch.nn.Module:
    return mlp(SEED)


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
