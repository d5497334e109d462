"""Defensive distillation (Papernot et al., IEEE S&P 2016) and the logits / T evaluation aid."""

from __future__ import annotations

import copy

import torch
import torch.nn.functional as F
from torch import nn

from robustkit.data import DataBundle, DefenseContext
from robustkit.trainer import Trainer, TrainStep, predict
from robustkit_distillation.params import DefensiveDistillationParams, LogitTemperatureParams
from robustkit_distillation.soft import soft_cross_entropy


class DefensiveDistillation:
    """Train a teacher on softmax(z / T), label the training set with its soft labels at T,
    train a same-architecture student on them at T, and deploy the student at T = 1.

    Deploying at T = 1 means returning the student's raw logits: they are about T times larger
    than at training, so the softmax saturates and input gradients of the cross-entropy
    underflow to zero — the gradient masking Carlini & Wagner (2016) showed is not robustness.
    """

    def __init__(self, params: DefensiveDistillationParams):
        self.params = params

    def train(self, model: nn.Module, data: DataBundle, trainer: Trainer,
              ctx: DefenseContext) -> nn.Module:
        T = self.params.temperature
        teacher = copy.deepcopy(model)  # same architecture and initialisation as the student

        def teacher_loss(step: TrainStep) -> torch.Tensor:
            return F.cross_entropy(step.model(step.x) / T, step.y)

        trainer.fit(teacher, data.x_train, data.y_train, loss=teacher_loss,
                    epochs=self.params.teacher_epochs, salt="distillation-teacher")
        soft = torch.softmax(predict(teacher, data.x_train.to(ctx.device)) / T, dim=-1)

        def student_loss(step: TrainStep) -> torch.Tensor:
            return soft_cross_entropy(step.model(step.x), soft[step.index], T)

        student = trainer.fit(model, data.x_train, data.y_train, loss=student_loss,
                              epochs=self.params.student_epochs, salt="distillation-student")
        student.distillation_temperature = T  # for reports; the forward pass is at T = 1
        return student


class TemperatureScaled(nn.Module):
    """``model(x) / T``: the same arg-max, gradients no longer saturated."""

    def __init__(self, model: nn.Module, temperature: float):
        super().__init__()
        self.model = model
        self.temperature = temperature

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.model(x) / self.temperature


class LogitTemperature:
    """Model wrapper that divides logits by T. Not a defense: an evaluation aid that lets a
    gradient attack see through a distilled model's saturated softmax (Carlini & Wagner 2016,
    "Defensive distillation is not robust to adversarial examples")."""

    def __init__(self, params: LogitTemperatureParams):
        self.params = params

    def wrap(self, model: nn.Module, ctx: DefenseContext) -> nn.Module:
        return TemperatureScaled(model, self.params.temperature)
