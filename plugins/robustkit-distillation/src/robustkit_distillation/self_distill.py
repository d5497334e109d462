"""Defensive self-distillation with adversarial training, in the spirit of DDVQA (Yuan et al.):
the model's own EMA (or previous-epoch snapshot) is the teacher, and its soft labels on the
clean and on the adversarial input regularise training on the adversarial input.

    L = CE(f(x'), y) + β · ½ [ T² KL(q_T(x) ‖ p_T(x')) + T² KL(q_T(x') ‖ p_T(x')) ]

with x' the named attack's example, p_T = softmax(f / T) the student and q_T the teacher's.
The clean-input term pulls the adversarial prediction towards the teacher's clean one (output
consistency, as TRADES); the adversarial-input term smooths it like defensive distillation.
"""

from __future__ import annotations

import copy

import torch
from robustkit_adversarial_training.attack_loop import TrainingAttack
from robustkit_adversarial_training.training import mixed_loss
from torch import nn

from robustkit.data import DataBundle, DefenseContext
from robustkit.trainer import Trainer, TrainStep
from robustkit_distillation.params import SelfDistillationATParams
from robustkit_distillation.soft import kl_to


class SelfDistillationAT:
    name = "self-distillation-at"

    def __init__(self, params: SelfDistillationATParams):
        self.params = params

    def train(self, model: nn.Module, data: DataBundle, trainer: Trainer,
              ctx: DefenseContext) -> nn.Module:
        p = self.params
        attack = TrainingAttack(self.name, p.attack, p.eps, p.steps, p.attack_params, ctx)
        teacher = copy.deepcopy(model).eval()
        for param in teacher.parameters():
            param.requires_grad_(False)
        state = {"epoch": -1}

        @torch.no_grad()
        def update_teacher(student: nn.Module, epoch: int) -> None:
            if p.teacher == "snapshot":
                if epoch != state["epoch"]:  # first step of a new epoch: keep the last one
                    teacher.load_state_dict(student.state_dict())
                    state["epoch"] = epoch
                return
            for t, s in zip(teacher.state_dict().values(), student.state_dict().values(),
                            strict=True):
                if t.is_floating_point():
                    t.mul_(p.ema_decay).add_(s, alpha=1 - p.ema_decay)
                else:
                    t.copy_(s)

        def loss(step: TrainStep) -> torch.Tensor:
            update_teacher(step.model, step.epoch)
            x_adv = attack(step.model, step.x, step.y)
            hard = mixed_loss(step.model, step.x, x_adv, step.y, p.clean_weight)
            if step.epoch < p.warmup_epochs or p.beta == 0:
                return hard
            with torch.no_grad():
                q_clean = torch.softmax(teacher(step.x) / p.temperature, dim=-1)
                q_adv = torch.softmax(teacher(x_adv) / p.temperature, dim=-1)
            z_adv = step.model(x_adv)
            soft = 0.5 * (kl_to(z_adv, q_clean, p.temperature) + kl_to(z_adv, q_adv,
                                                                       p.temperature))
            return hard + p.beta * soft

        return trainer.fit(model, data.x_train, data.y_train, loss=loss, epochs=p.epochs,
                           salt=self.name)
