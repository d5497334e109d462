"""Regression metrics over all output dimensions. Empty evaluations give nan."""

from __future__ import annotations

import math

import torch

from robustkit.data import Evaluation


def _pair(ev: Evaluation) -> tuple[torch.Tensor, torch.Tensor]:
    pred = ev.outputs.detach().double().reshape(len(ev), -1)
    true = ev.y_true.detach().double().reshape(len(ev), -1)
    if pred.shape != true.shape:
        raise ValueError(f"outputs have {pred.shape[1]} values per sample but targets have "
                         f"{true.shape[1]}; the model's output_dim must match the data set")
    return pred, true


class _Metric:
    def __init__(self, params=None):
        pass

    def compute(self, ev: Evaluation) -> float:
        if len(ev) == 0:
            return math.nan
        return float(self.value(*_pair(ev)))


class MSE(_Metric):
    def value(self, p, t):
        return ((p - t) ** 2).mean()


class RMSE(_Metric):
    def value(self, p, t):
        return ((p - t) ** 2).mean().sqrt()


class MAE(_Metric):
    def value(self, p, t):
        return (p - t).abs().mean()


class MAPE(_Metric):
    def value(self, p, t):
        keep = t.abs() > 1e-8  # a zero target makes the percentage undefined
        if not keep.any():
            return math.nan
        return ((p - t).abs()[keep] / t.abs()[keep]).mean()


class R2(_Metric):
    def value(self, p, t):
        sst = ((t - t.mean(0)) ** 2).sum()
        if sst == 0:
            return math.nan
        return 1 - ((p - t) ** 2).sum() / sst
