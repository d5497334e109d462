"""Metric implementations. Each returns nan on an empty evaluation rather than raising."""

from __future__ import annotations

import math

import numpy as np
import torch

from robustkit.data import Evaluation
from robustkit_classification_metrics.params import CalibrationParams, RocAucParams


def _labels(ev: Evaluation) -> tuple[np.ndarray, np.ndarray]:
    return ev.y_true.detach().cpu().numpy(), ev.outputs.argmax(-1).detach().cpu().numpy()


class Accuracy:
    def __init__(self, params=None):
        pass

    def compute(self, ev: Evaluation) -> float:
        if len(ev) == 0:
            return math.nan
        return float((ev.outputs.argmax(-1) == ev.y_true).float().mean())


class MacroF1:
    def __init__(self, params=None):
        pass

    def compute(self, ev: Evaluation) -> float:
        if len(ev) == 0:
            return math.nan
        from sklearn.metrics import f1_score

        y, pred = _labels(ev)
        labels = np.arange(ev.info.num_classes) if ev.info.num_classes else None
        # classes absent from both y and pred count as F1 = 0 only when they appear somewhere
        present = np.union1d(y, pred) if labels is None else np.intersect1d(labels,
                                                                            np.union1d(y, pred))
        return float(f1_score(y, pred, labels=present, average="macro", zero_division=0))


class CalibrationError:
    def __init__(self, params: CalibrationParams):
        self.bins = params.bins

    def compute(self, ev: Evaluation) -> float:
        if len(ev) == 0:
            return math.nan
        probs = torch.softmax(ev.outputs.detach().double(), -1)
        conf, pred = probs.max(-1)
        correct = (pred == ev.y_true).double()
        edges = torch.linspace(0, 1, self.bins + 1, dtype=torch.float64, device=conf.device)
        # bin i holds confidences in (edges[i], edges[i+1]]; confidence is never 0
        which = torch.bucketize(conf, edges[1:-1], right=False)
        ece = torch.zeros((), dtype=torch.float64)
        for b in range(self.bins):
            mask = which == b
            if mask.any():
                ece += mask.double().mean() * (conf[mask].mean() - correct[mask].mean()).abs()
        return float(ece)


class RocAuc:
    def __init__(self, params: RocAucParams):
        self.average = params.average

    def compute(self, ev: Evaluation) -> float:
        if len(ev) == 0:
            return math.nan
        from sklearn.metrics import roc_auc_score

        y = ev.y_true.detach().cpu().numpy()
        if len(np.unique(y)) < 2:
            return math.nan  # undefined with one class present
        probs = torch.softmax(ev.outputs.detach().double(), -1).cpu().numpy()
        if probs.shape[1] == 2:
            return float(roc_auc_score(y, probs[:, 1]))
        present = np.unique(y)
        # restrict to classes present so that a small test set does not make AUC undefined
        sub = probs[:, present]
        sub = sub / sub.sum(1, keepdims=True)
        if len(present) == 2:
            return float(roc_auc_score(y == present[1], sub[:, 1]))
        return float(roc_auc_score(y, sub, multi_class="ovr", average=self.average,
                                   labels=present))
