"""Dual-teacher distillation with entropy balance, for tampering (anomaly) detection.

Our formulation of the dual-teacher scheme of Ding (2024) (see docs/plugins/distillation.md):

- teacher N is trained with class weights that favour the normal class (``specialisation``
  times the others'), teacher A with weights that favour the other (tampered) classes; each
  is therefore confident on its own side and hedges on the other;
- per training sample, the soft target is q = Σ_k w_k softmax(z_k / T) with
  w_k ∝ exp(-H(softmax(z_k)) / τ): the teacher that is more certain about *this* sample
  (lower predictive entropy) dominates;
- the student, usually a much smaller model (the pipeline's model), minimises
  α T² KL(q ‖ softmax(s / T)) + (1 - α) CE(s, y).

``teachers = "single"`` trains one teacher with plain cross-entropy instead: the baseline the
entropy balance must beat.
"""

from __future__ import annotations

import copy

import torch
import torch.nn.functional as F
from torch import nn

from robustkit.components import Kind
from robustkit.data import DataBundle, DefenseContext, derive_seed
from robustkit.errors import IncompatibleError, ParamsError, PluginError
from robustkit.trainer import Trainer, TrainStep, predict
from robustkit_distillation.params import DualTeacherParams
from robustkit_distillation.soft import entropy, kl_to


def count_parameters(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())


class DualTeacher:
    name = "dual-teacher-distillation"

    def __init__(self, params: DualTeacherParams):
        self.params = params

    def _teacher(self, student: nn.Module, ctx: DefenseContext, which: str) -> nn.Module:
        ref = self.params.teacher
        torch.manual_seed(derive_seed(ctx.seed, self.name, which))
        if ref is None:
            return copy.deepcopy(student)
        try:  # the kernel's service: the pipeline's registry, params validated
            builder = ctx.build(Kind.MODEL, {"name": ref.name, "params": ref.params})
        except IncompatibleError as exc:
            raise ParamsError(f"defense '{self.name}': teacher {exc}") from None
        teacher = builder.build(ctx.info)
        if not isinstance(teacher, nn.Module):
            raise PluginError(f"model '{ref.name}' did not build a torch module")
        return teacher.to(ctx.device)

    def _fit_teacher(self, teacher: nn.Module, weights: torch.Tensor | None, data: DataBundle,
                     trainer: Trainer, salt: str) -> nn.Module:
        def loss(step: TrainStep) -> torch.Tensor:
            return F.cross_entropy(step.model(step.x), step.y, weight=weights)

        return trainer.fit(teacher, data.x_train, data.y_train, loss=loss,
                           epochs=self.params.teacher_epochs, salt=salt)

    def train(self, model: nn.Module, data: DataBundle, trainer: Trainer,
              ctx: DefenseContext) -> nn.Module:
        p = self.params
        k = ctx.info.num_classes
        if not k or k < 2:
            raise ParamsError(f"defense '{self.name}' needs a classification data set")
        if p.normal_class >= k:
            raise ParamsError(f"defense '{self.name}': normal_class {p.normal_class} is not a "
                              f"class of this data set (0..{k - 1})")
        x = data.x_train.to(ctx.device)
        T = p.temperature
        if p.teachers == "single":
            teacher = self._fit_teacher(self._teacher(model, ctx, "single"), None, data,
                                        trainer, "teacher-single")
            target = torch.softmax(predict(teacher, x) / T, dim=-1)
            teachers = [teacher]
        else:
            favour_normal = torch.ones(k, device=ctx.device)
            favour_normal[p.normal_class] = p.specialisation
            favour_tampered = torch.full((k,), p.specialisation, device=ctx.device)
            favour_tampered[p.normal_class] = 1.0
            t_n = self._fit_teacher(self._teacher(model, ctx, "normal"), favour_normal, data,
                                    trainer, "teacher-normal")
            t_a = self._fit_teacher(self._teacher(model, ctx, "tampered"), favour_tampered,
                                    data, trainer, "teacher-tampered")
            z = torch.stack([predict(t_n, x), predict(t_a, x)])  # 2 x N x K
            h = entropy(torch.softmax(z, dim=-1))  # 2 x N
            w = torch.softmax(-h / p.entropy_tau, dim=0)  # per sample, over the teachers
            target = (w.unsqueeze(-1) * torch.softmax(z / T, dim=-1)).sum(0)
            teachers = [t_n, t_a]

        def loss(step: TrainStep) -> torch.Tensor:
            s = step.model(step.x)
            return p.alpha * kl_to(s, target[step.index], T) + (1 - p.alpha) * F.cross_entropy(
                s, step.y)

        student = trainer.fit(model, data.x_train, data.y_train, loss=loss,
                              salt="dual-teacher-student")
        student.distillation_report = {
            "student_parameters": count_parameters(student),
            "teacher_parameters": max(count_parameters(t) for t in teachers),
        }
        return student
