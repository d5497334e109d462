"""Registers the distillation defenses. Factories are lazy strings."""

from robustkit import hookimpl
from robustkit_distillation.params import (
    DefensiveDistillationParams,
    DualTeacherParams,
    LogitTemperatureParams,
    SelfDistillationATParams,
)

_CLS = ["classification", "anomaly-detection"]


@hookimpl
def robustkit_register_defenses(register):
    register.training_defense(
        "defensive-distillation",
        "robustkit_distillation.defensive:DefensiveDistillation",
        params=DefensiveDistillationParams,
        tasks=_CLS,
        summary="teacher and student at temperature T, deployed at T = 1 (Papernot 2016)",
    )
    register.training_defense(
        "self-distillation-at",
        "robustkit_distillation.self_distill:SelfDistillationAT",
        params=SelfDistillationATParams,
        tasks=["classification"],
        summary="adversarial training regularised by an EMA/snapshot teacher's soft labels",
    )
    register.training_defense(
        "dual-teacher-distillation",
        "robustkit_distillation.dual_teacher:DualTeacher",
        params=DualTeacherParams,
        tasks=_CLS,
        summary="student distilled from normal- and tampered-specialised teachers, "
        "weighted per sample by their entropy",
    )
    register.model_wrapper(
        "logit-temperature",
        "robustkit_distillation.defensive:LogitTemperature",
        params=LogitTemperatureParams,
        tasks=_CLS,
        summary="evaluation aid: logits / T, same predictions, un-saturated gradients "
        "(Carlini & Wagner 2016)",
    )
