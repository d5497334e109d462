"""The ART estimator a robustkit model is wrapped in, by task and by what the attack needs.

- needs gradients: ``PyTorchClassifier`` (classification) or ``PyTorchRegressor``, with the
  data set's bounds as ``clip_values`` and its input shape;
- needs scores: ``BlackBoxClassifier`` / ``BlackBoxRegressor`` over the kernel's ScoreOracle,
  which answers with softmax probabilities. They reach ART once: no second softmax (ART
  applies none of its own; an earlier version did, and ZOO then fooled 2 % of digits instead
  of ~80 %), as log-probabilities for ZOO, whose loss is a log-probability margin.
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


# ART's query attacks read ``estimator.predict`` as they find it; what it should hold differs:
# ZOO's loss is the margin of log-probabilities (Chen et al. 2017, eq. 4), which equals the
# logit margin and, unlike a probability margin, does not flatten when the softmax saturates;
# VAT checks that predictions are probabilities; the decision attacks (HopSkipJump, Boundary,
# GeoDA, Sign-OPT) read only the arg-max, which both forms share.
LOG_PROBABILITY_ATTACKS = frozenset({"ZooAttack"})


def as_probabilities(scores: torch.Tensor) -> torch.Tensor:
    """Probabilities from what a score oracle answers: rows that already are probability
    vectors (non-negative, summing to 1) are kept; anything else is taken as logits.

    Softmax of probabilities would flatten them towards uniform (0.76 -> 0.19 on ten
    classes): the double softmax this function exists to prevent.
    """
    scores = scores.double()
    if is_probability(scores):
        return scores
    return torch.softmax(scores, dim=-1)


def as_log_probabilities(scores: torch.Tensor) -> torch.Tensor:
    """Log-probabilities, exact for logits (log-softmax); for probabilities the log, floored
    at float64's smallest normal number so that an exact zero stays finite."""
    scores = scores.double()
    if is_probability(scores):
        return scores.clamp_min(torch.finfo(torch.float64).tiny).log()
    return torch.log_softmax(scores, dim=-1)


def is_probability(scores: torch.Tensor) -> bool:
    if scores.numel() == 0:
        return True
    sums = scores.sum(-1)
    return bool((scores >= 0).all() and torch.allclose(sums, torch.ones_like(sums), atol=1e-4))


def score_estimator(oracle: Any, task: str, input_shape: tuple[int, ...],
                    bounds: tuple[float, float], num_classes: int | None,
                    device: str = "cpu", attack_class: str = "") -> Any:
    """A ``BlackBoxClassifier`` whose ``predict`` answers what ``attack_class`` reads:
    log-probabilities for ZOO, probabilities for the rest (see LOG_PROBABILITY_ATTACKS)."""
    log = attack_class in LOG_PROBABILITY_ATTACKS

    def predict(x: np.ndarray) -> np.ndarray:
        out = oracle(torch.as_tensor(np.asarray(x, dtype=np.float32), device=device))
        if task != "regression":
            out = as_log_probabilities(out) if log else as_probabilities(out)
        return out.float().cpu().numpy()

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
