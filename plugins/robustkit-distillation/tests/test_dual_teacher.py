"""Dual-teacher distillation: teachers built by name through the registry, per-sample entropy
weights, a working student, and clear errors."""

from __future__ import annotations

import pytest
import toy
from robustkit_distillation.dual_teacher import DualTeacher
from robustkit_distillation.params import DualTeacherParams

from robustkit import ParamsError
from robustkit.data import DefenseContext
from robustkit.plugins import PluginHost
from robustkit.trainer import predict


@pytest.fixture(scope="module")
def host():
    return PluginHost(load_entry_points=False, extra=[toy])


@pytest.mark.slow
@pytest.mark.parametrize("teachers", ["dual", "single"])
def test_lightweight_student_learns_from_larger_teachers(host, teachers):
    data = toy.bundle()
    ctx = DefenseContext(info=toy.INFO, seed=0, registry=host.registry)
    params = DualTeacherParams(teacher={"name": "toy-mlp", "params": {"width": 128}},
                               teachers=teachers, teacher_epochs=10)
    student = DualTeacher(params).train(toy.model(width=8), data, toy.trainer(10), ctx)
    acc = float((predict(student, data.x_test).argmax(1) == data.y_test).float().mean())
    report = student.distillation_report
    assert acc > 0.95
    assert report["student_parameters"] <= 0.25 * report["teacher_parameters"]


def test_normal_class_outside_the_classes_is_refused(host):
    ctx = DefenseContext(info=toy.INFO, seed=0, registry=host.registry)
    with pytest.raises(ParamsError, match="normal_class 5"):
        DualTeacher(DualTeacherParams(normal_class=5)).train(toy.model(), toy.bundle(),
                                                            toy.trainer(1), ctx)
