"""The ART estimator a robustkit model is wrapped in, by task and by what the attack needs.

- needs gradients: ``PyTorchClassifier`` (classification) or ``PyTorchRegressor``, with the
  data set's bounds as ``clip_values`` and its input shape;
- needs scores: ``BlackBoxClassifier`` / ``BlackBoxRegressor`` over the kernel's ScoreOracle,
  which answers with softmax probabilities (ART's query attacks expect probabilities).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from torch import nn


def _device_type(device: str) -> str:
    return "gpu" if str(device).startswith("cuda") else "cpu"


def gradient_estimator(model: nn.Module, task: str, input_shape: tuple[int, ...],
                       bounds: tuple[float, float], num_classes: int | None,
                       device: str = "cpu") -> Any:
    if task == "regression":
        from art.estimators.regression import PyTorchRegressor

        return PyTorchRegressor(model=model, loss=nn.MSELoss(), input_shape=input_shape,
                                clip_values=bounds, device_type=_device_type(device))
    from art.estimators.classification import PyTorchClassifier

    return PyTorchClassifier(model=model, loss=nn.CrossEntropyLoss(), input_shape=input_shape,
                             nb_classes=num_classes, clip_values=bounds,
                             device_type=_device_type(device))


def score_estimator(oracle: Any, task: str, input_shape: tuple[int, ...],
                    bounds: tuple[float, float], num_classes: int | None,
                    device: str = "cpu") -> Any:
    def predict(x: np.ndarray) -> np.ndarray:
        out = oracle(torch.as_tensor(np.asarray(x, dtype=np.float32), device=device))
        if task != "regression":
            out = torch.softmax(out.float(), dim=-1)
        return out.cpu().numpy()

    if task == "regression":
        from art.estimators.regression import BlackBoxRegressor

        return BlackBoxRegressor(predict_fn=predict, input_shape=input_shape,
                                 clip_values=bounds)
    from art.estimators.classification import BlackBoxClassifier

    class ChannelsFirstBlackBox(BlackBoxClassifier):
        """robustkit images are (N, C, H, W); ZOO and GeoDA read this to find channels."""

        channels_first = True

    return ChannelsFirstBlackBox(predict_fn=predict, input_shape=input_shape,
                              nb_classes=num_classes, clip_values=bounds)
