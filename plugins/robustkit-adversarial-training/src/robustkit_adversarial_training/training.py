"""PGD adversarial training and fast (FGSM + random start) adversarial training."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from robustkit.data import DataBundle, DefenseContext
from robustkit.trainer import Trainer, TrainStep
from robustkit_adversarial_training.attack_loop import TrainingAttack
from robustkit_adversarial_training.params import FastATParams, PGDATParams


def mixed_loss(model: nn.Module, x: torch.Tensor, x_adv: torch.Tensor, y: torch.Tensor,
               clean_weight: float) -> torch.Tensor:
    """Cross-entropy on the adversarial batch, mixed with the clean batch's by
    ``clean_weight`` (0: adversarial only). Public: self-distillation reuses it."""
    loss = F.cross_entropy(model(x_adv), y)
    if clean_weight > 0:
        loss = (1 - clean_weight) * loss + clean_weight * F.cross_entropy(model(x), y)
    return loss


class PGDAdversarialTraining:
    """min_θ E max_{‖δ‖≤ε} CE(f_θ(x+δ), y), the inner max by the named attack (Madry et al.)."""

    name = "pgd-at"

    def __init__(self, params: PGDATParams):
        self.params = params

    def make_attack(self, ctx: DefenseContext) -> TrainingAttack:
        p = self.params
        return TrainingAttack(self.name, p.attack, p.eps, p.steps, p.attack_params, ctx)

    def train(self, model: nn.Module, data: DataBundle, trainer: Trainer,
              ctx: DefenseContext) -> nn.Module:
        attack = self.make_attack(ctx)  # fails on a bad attack name before any training
        w = self.params.clean_weight

        def loss(step: TrainStep) -> torch.Tensor:
            x_adv = attack(step.model, step.x, step.y)
            return mixed_loss(step.model, step.x, x_adv, step.y, w)

        return trainer.fit(model, data.x_train, data.y_train, loss=loss,
                           epochs=self.params.epochs, salt=self.name)


class FastAdversarialTraining(PGDAdversarialTraining):
    """Wong et al. 2020: δ₀ ~ U(-ε, ε), one attack step of size α = 1.25 ε from x + δ₀, then
    projection back into the ε ball and the data bounds."""

    name = "fast-at"

    def __init__(self, params: FastATParams):
        self.params = params

    def make_attack(self, ctx: DefenseContext) -> TrainingAttack:
        p = self.params
        return TrainingAttack(self.name, p.attack, p.alpha_ratio * p.eps, p.steps,
                              p.attack_params, ctx)

    def train(self, model: nn.Module, data: DataBundle, trainer: Trainer,
              ctx: DefenseContext) -> nn.Module:
        attack = self.make_attack(ctx)
        eps, w = self.params.eps, self.params.clean_weight
        lo, hi = ctx.info.bounds

        def loss(step: TrainStep) -> torch.Tensor:
            x = step.x
            start = torch.rand(x.shape, generator=attack.generator, dtype=x.dtype).to(x.device)
            x0 = (x + (start * 2 - 1) * eps).clamp(lo, hi)
            x_step = attack(step.model, x0, step.y)
            x_adv = (x + (x_step - x).clamp(-eps, eps)).clamp(lo, hi)
            return mixed_loss(step.model, x, x_adv, step.y, w)

        return trainer.fit(model, data.x_train, data.y_train, loss=loss,
                           epochs=self.params.epochs, salt=self.name)
