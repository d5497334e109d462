"""Parameter models (torch-free, imported at registration)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import Field
from robustkit_adversarial_training.params import AttackInTraining

from robustkit import Params


class DefensiveDistillationParams(Params):
    temperature: float = Field(100.0, ge=1, le=10_000, description=(
        "distillation temperature T of teacher and student training; deployment is at T = 1"))
    teacher_epochs: int | None = Field(None, ge=1, le=10_000, description=(
        "teacher epochs; None: the pipeline's training.epochs"))
    student_epochs: int | None = Field(None, ge=1, le=10_000, description=(
        "student epochs; None: the pipeline's training.epochs"))


class LogitTemperatureParams(Params):
    temperature: float = Field(100.0, gt=0, le=10_000, description=(
        "divide the model's logits by this; predictions are unchanged"))


class SelfDistillationATParams(AttackInTraining):
    teacher: Literal["ema", "snapshot"] = Field("ema", description=(
        "ema: an exponential moving average of the weights; snapshot: the model as it was at "
        "the end of the previous epoch"))
    ema_decay: float = Field(0.99, ge=0, lt=1, description="EMA decay per step")
    temperature: float = Field(2.0, ge=1, le=100, description="softening temperature T")
    beta: float = Field(1.0, ge=0, le=100, description="weight of the distillation term")
    warmup_epochs: int = Field(1, ge=0, le=10_000, description=(
        "epochs of plain adversarial training before the teacher's soft labels are used"))


class TeacherRef(Params):
    name: str = Field(min_length=1, description="a registered model")
    params: dict[str, Any] = Field(default_factory=dict, description="its params")


class DualTeacherParams(Params):
    teacher: TeacherRef | None = Field(None, description=(
        "architecture of both teachers (a registered model and its params); None: the same "
        "architecture as the student (the pipeline's model)"))
    teachers: Literal["dual", "single"] = Field("dual", description=(
        "dual: a normal-specialised and a tampered-specialised teacher, balanced by entropy; "
        "single: one teacher with plain cross-entropy (the baseline)"))
    normal_class: int = Field(0, ge=0, description="the class of normal (untampered) samples")
    specialisation: float = Field(4.0, ge=1, le=1000, description=(
        "class weight each teacher gives its own side (normal / the other classes)"))
    temperature: float = Field(2.0, ge=1, le=100, description="distillation temperature T")
    alpha: float = Field(0.7, ge=0, le=1, description=(
        "weight of the distillation term; 1 - alpha weighs the hard-label cross-entropy"))
    entropy_tau: float = Field(0.1, gt=0, le=100, description=(
        "temperature of the entropy weights w_k ∝ exp(-H_k / tau); small: trust the most "
        "confident teacher"))
    teacher_epochs: int | None = Field(None, ge=1, le=10_000, description=(
        "teacher epochs; None: the pipeline's training.epochs"))
