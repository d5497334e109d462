"""Self-distillation + adversarial training must be robust where the plain model is not."""

from __future__ import annotations

import pytest
import toy
from robustkit_adversarial_training import testing_attacks as local_attacks
from robustkit_distillation.params import SelfDistillationATParams
from robustkit_distillation.self_distill import SelfDistillationAT

from robustkit.data import DefenseContext, PerturbContext, make_generator
from robustkit.plugins import PluginHost
from robustkit.trainer import predict

EPS = 0.15


def accs(net, data, host):
    pert = host.registry.get("perturbation", "local-fgsm").build({"eps": EPS, "steps": 5})
    ctx = PerturbContext(info=toy.INFO, seed=0, generator=make_generator(0, "t"), model=net)
    x_adv = pert.perturb(data.x_test, data.y_test, ctx)
    def acc(x):
        return (float((predict(net, x).argmax(1) == data.y_test).float().mean()))
    return acc(data.x_test), acc(x_adv)


@pytest.mark.slow
@pytest.mark.parametrize("teacher", ["ema", "snapshot"])
def test_self_distillation_at_is_robust(teacher):
    host = PluginHost(load_entry_points=False, extra=[local_attacks])
    data = toy.bundle()
    ctx = DefenseContext(info=toy.INFO, seed=0, registry=host.registry)
    _, base = accs(toy.trainer().fit(toy.model(), data.x_train, data.y_train), data, host)
    params = SelfDistillationATParams(attack="local-fgsm", eps=EPS, steps=5, teacher=teacher,
                                      warmup_epochs=2)
    net = SelfDistillationAT(params).train(toy.model(), data, toy.trainer(), ctx)
    clean, robust = accs(net, data, host)
    assert base < 0.5 and robust > base + 0.3 and clean > 0.9
