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
    register("defensive-distillation", "robustkit_distillation.defensive:DefensiveDistillation",
             params=DefensiveDistillationParams, tasks=_CLS, form="training",
             summary="teacher and student at temperature T, deployed at T = 1 (Papernot 2016)")
    register("self-distillation-at", "robustkit_distillation.self_distill:SelfDistillationAT",
             params=SelfDistillationATParams, tasks=["classification"], form="training",
             summary="adversarial training regularised by an EMA/snapshot teacher's soft labels")
    register("dual-teacher-distillation", "robustkit_distillation.dual_teacher:DualTeacher",
             params=DualTeacherParams, tasks=_CLS, form="training",
             summary="student distilled from normal- and tampered-specialised teachers, "
                     "weighted per sample by their entropy")
    register("logit-temperature", "robustkit_distillation.defensive:LogitTemperature",
             params=LogitTemperatureParams, tasks=_CLS, form="model-wrapper",
             summary="evaluation aid: logits / T, same predictions, un-saturated gradients "
                     "(Carlini & Wagner 2016)")
