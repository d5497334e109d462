"""Ablations: each distillation method's own ingredient, switched off, must show.

``measure(seed)`` is what each test asserts on; ``benchmarks/ablations.py`` runs it over more
seeds and writes the distributions quoted in the docstrings to
``benchmarks/results/ablations/``.
"""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
import toy
from robustkit_adversarial_training import testing_attacks as local_attacks
from robustkit_distillation.dual_teacher import DualTeacher, entropy_weights
from robustkit_distillation.params import DualTeacherParams, SelfDistillationATParams
from robustkit_distillation.self_distill import SelfDistillationAT

from robustkit.data import DefenseContext, PerturbContext, make_generator
from robustkit.plugins import PluginHost
from robustkit.testing.synthetic import robust_and_weak_features
from robustkit.trainer import predict

EPS = 0.15


def _self_distilled(seed: int, beta: float, host: PluginHost) -> float:
    """Mean KL(p(x) || p(x')) on the test set, x' a 5-step L∞ attack at ε = 0.15."""
    data = robust_and_weak_features(seed=seed)
    ctx = DefenseContext(info=toy.INFO, seed=seed, registry=host.registry)
    torch.manual_seed(seed)
    model = toy.MLPBuilder(toy.WidthParams(width=32)).build(toy.INFO)
    params = SelfDistillationATParams(attack="local-fgsm", eps=EPS, steps=5, teacher="ema",
                                      warmup_epochs=2, beta=beta)
    net = SelfDistillationAT(params).train(model, data, toy.trainer(), ctx)
    attack = host.registry.get("perturbation", "local-fgsm").build({"eps": EPS, "steps": 5})
    pctx = PerturbContext(info=toy.INFO, seed=0, generator=make_generator(0, "t"), model=net)
    x_adv = attack.perturb(data.x_test, data.y_test, pctx)
    clean = torch.softmax(predict(net, data.x_test), -1)
    return float(F.kl_div(torch.log_softmax(predict(net, x_adv), -1), clean,
                          reduction="batchmean"))


def measure_self_distillation(seed: int) -> dict[str, float]:
    host = PluginHost(load_entry_points=False, extra=[local_attacks])
    return {"kl_with": _self_distilled(seed, 1.0, host),
            "kl_without": _self_distilled(seed, 0.0, host)}


@pytest.mark.slow
def test_the_distillation_term_makes_adversarial_outputs_agree_with_clean_ones():
    """β (the distillation weight) asks the prediction on x' to match the teacher's on x
    (DDVQA's output consistency). Measured with OMP_NUM_THREADS=1, seeds 0-7, KL(p(x) ‖ p(x'))
    with / without: 0.088/0.118, 0.103/0.115, 0.034/0.083, 0.102/0.114, 0.075/0.108,
    0.057/0.055, 0.088/0.125, 0.098/0.131 (per-seed ratio 0.41-1.03, seed 5 the exception;
    summed over any two of the eight seeds the ratio is at most 0.94). Robust accuracy does
    NOT move with β on this task (FGSM-5 at ε = 0.15: 0.949 with, 0.944 without, mean of
    8 seeds), so the test asserts the consistency the term is for, over seeds 0 and 1
    (benchmarks/results/ablations/self-distillation.json)."""
    runs = [measure_self_distillation(s) for s in (0, 1)]
    with_term = sum(r["kl_with"] for r in runs)
    without = sum(r["kl_without"] for r in runs)
    assert with_term < 0.95 * without, (with_term, without)


def measure_dual_teacher(seed: int) -> dict[str, float]:
    """Mean weight of the normal-specialised teacher on normal and on tampered training
    samples, as the defense itself computed them (``distillation_report``)."""
    host = PluginHost(load_entry_points=False, extra=[toy])
    data = robust_and_weak_features(seed=seed)
    ctx = DefenseContext(info=toy.INFO, seed=seed, registry=host.registry)
    torch.manual_seed(seed)
    student = DualTeacher(DualTeacherParams(teacher_epochs=5)).train(
        toy.model(width=8), data, toy.trainer(3), ctx)
    w_normal = student.distillation_report["teacher_weights"][0]
    y = data.y_train
    return {"normal_teacher_on_normal": float(w_normal[y == 0].mean()),
            "normal_teacher_on_tampered": float(w_normal[y != 0].mean())}


def test_the_defense_weights_each_sample_toward_its_specialised_teacher():
    """The entropy balance as the defense computes it: the normal-specialised teacher must
    weigh more on normal samples than on tampered ones. Measured (OMP_NUM_THREADS=1, seeds
    0-7): the gap is 0.295, 0.285, 0.290, 0.285, 0.295, 0.361, 0.258, 0.301; a sign error in
    the weights (softmax(+H/τ)) turns it negative (benchmarks/results/ablations/
    dual-teacher.json). About 2 s."""
    m = measure_dual_teacher(0)
    assert m["normal_teacher_on_normal"] - m["normal_teacher_on_tampered"] > 0.15, m


def test_entropy_weights_favour_the_confident_teacher():
    confident = torch.tensor([[[4.0, -4.0]], [[0.1, -0.1]]])  # teachers x samples x classes
    w = entropy_weights(confident, tau=0.1)
    assert w.shape == (2, 1)
    assert float(w[0, 0]) > 0.95 and torch.allclose(w.sum(0), torch.ones(1))
