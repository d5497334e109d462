"""Noise-robust losses as training defenses: each trains with the kernel's Trainer and its
own loss, so the model, optimiser and epochs are exactly those of plain cross-entropy."""

from __future__ import annotations

from torch import nn

from robustkit.data import DataBundle, DefenseContext
from robustkit.errors import DataError
from robustkit_label_noise.awl import AdaptiveWeights
from robustkit_label_noise.losses import generalized_cross_entropy, symmetric_cross_entropy
from robustkit_label_noise.params import AWLParams, GCEParams, SCEParams


def _check(data: DataBundle, who: str) -> None:
    if not data.info.num_classes:
        raise DataError(f"{who}: needs a classification data set (DataInfo.num_classes unset)")


class GCE:
    def __init__(self, params: GCEParams):
        self.q = params.q

    def train(self, model: nn.Module, data: DataBundle, trainer, ctx: DefenseContext):
        _check(data, "gce-loss")
        q = self.q

        def loss(step):
            return generalized_cross_entropy(step.model(step.x), step.y, q).mean()

        return trainer.fit(model, data.x_train, data.y_train, loss=loss)


class SCE:
    def __init__(self, params: SCEParams):
        self.p = params

    def train(self, model: nn.Module, data: DataBundle, trainer, ctx: DefenseContext):
        _check(data, "sce-loss")
        p = self.p

        def loss(step):
            return symmetric_cross_entropy(step.model(step.x), step.y, p.alpha, p.beta,
                                           p.log_zero).mean()

        return trainer.fit(model, data.x_train, data.y_train, loss=loss)


class AWL:
    def __init__(self, params: AWLParams):
        self.p = params
        self.last: AdaptiveWeights | None = None  # kept for inspection (weights, posteriors)

    def train(self, model: nn.Module, data: DataBundle, trainer, ctx: DefenseContext):
        _check(data, "awl-loss")
        schedule = AdaptiveWeights(self.p, data.x_train, data.y_train, trainer.config.epochs,
                                   seed=ctx.seed)
        self.last = schedule
        return trainer.fit(model, data.x_train, data.y_train, loss=schedule.loss)
