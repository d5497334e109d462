"""Per-epoch test metrics: recorded after every epoch when asked for, never otherwise, and
without changing what is trained."""

from __future__ import annotations

import pytest
import torch

from robustkit import Task
from robustkit.config import TrainingConfig
from robustkit.epoch_metrics import accuracy_monitor, summarise
from robustkit.errors import DataError
from robustkit.testing.synthetic import synthetic_bundle
from robustkit.trainer import Trainer


def _net():
    torch.manual_seed(0)
    return torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(64, 4))


def test_a_monitored_fit_records_every_epoch_and_trains_the_same_model():
    data = synthetic_bundle(0)
    cfg = TrainingConfig(epochs=4, lr=0.01, batch_size=32)
    plain = Trainer(cfg, Task.CLASSIFICATION, 0)
    a = plain.fit(_net(), data.x_train, data.y_train)
    watched = Trainer(cfg, Task.CLASSIFICATION, 0,
                      monitor=accuracy_monitor(data.x_test, data.y_test))
    b = watched.fit(_net(), data.x_train, data.y_train)
    assert plain.epoch_metrics == []
    assert [r["epoch"] for r in watched.epoch_metrics] == [0, 1, 2, 3]
    assert [r["train_loss"] for r in watched.epoch_metrics] == watched.history
    final = float((b(data.x_test).argmax(1) == data.y_test).float().mean())
    assert watched.epoch_metrics[-1]["test_accuracy"] == pytest.approx(final)
    for pa, pb in zip(a.parameters(), b.parameters(), strict=True):
        assert torch.equal(pa, pb)  # watching changes nothing (no RNG, no train-mode leak)
    s = summarise(watched.epoch_metrics)
    assert s["final_epoch"] == 4 and s["best"] >= s["final"]


def test_monitor_and_summary_refuse_what_they_cannot_use():
    with pytest.raises(DataError, match="same, non-zero number"):
        accuracy_monitor(torch.zeros(3, 2), torch.zeros(2))
    with pytest.raises(DataError, match="monitor="):
        summarise([])
