"""Train a registered model on a registered series data set and score it: the small harness
the ablations, noise curves and tuner comparisons in docs/plugins/timeseries.md use.

A thin layer over the kernel (registry, Trainer, predict), so the numbers are those a
``robustkit run`` of the same config would give for the clean row.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import torch

from robustkit import get_registry
from robustkit.components import Kind
from robustkit.config import TrainingConfig
from robustkit.data import DataBundle
from robustkit.trainer import Trainer, predict
from robustkit_timeseries.forecast import score


@dataclass
class Fitted:
    model: torch.nn.Module
    data: DataBundle
    history: list[float]


def load(dataset: str, params: dict[str, Any] | None = None, seed: int = 0) -> DataBundle:
    return get_registry().get(Kind.DATASET, dataset).build(params or {}).load(seed)


def fit(data: DataBundle, model: str, params: dict[str, Any] | None = None,
        training: dict[str, Any] | None = None, seed: int = 0) -> Fitted:
    """Build ``model`` for ``data`` (torch seeded as the pipeline does) and train it."""
    torch.manual_seed(seed)
    net = get_registry().get(Kind.MODEL, model).build(params or {}).build(data.info)
    trainer = Trainer(TrainingConfig(**(training or {})), data.info.task, seed)
    trainer.fit(net, data.x_train, data.y_train)
    return Fitted(net, data, trainer.history)


def score_test(fitted: Fitted, x: torch.Tensor | None = None) -> dict[str, float]:
    """RMSE, MSE, MAE, MAPE, R^2 on the test windows (or on ``x`` in their place)."""
    data = fitted.data
    pred = predict(fitted.model, data.x_test if x is None else x)
    return score(data.y_test, pred)
