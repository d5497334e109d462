"""Adversarial training on a seeded 2-D task where the robust and the accurate solution differ:
AT must raise accuracy under the attack it trained against, and bad attack names must fail
clearly before training."""

from __future__ import annotations

import pytest
import torch
from robustkit_adversarial_training import testing_attacks as local_attacks
from robustkit_adversarial_training.params import FastATParams, PGDATParams
from robustkit_adversarial_training.training import (
    FastAdversarialTraining,
    PGDAdversarialTraining,
)
from torch import nn

from robustkit import ParamsError, Pipeline, Task, TrainingConfig
from robustkit.data import DefenseContext, PerturbContext, make_generator
from robustkit.plugins import PluginHost
from robustkit.testing.synthetic import (
    ROBUST_AND_WEAK_DIM,
    ROBUST_AND_WEAK_INFO,
    robust_and_weak_features,
)
from robustkit.trainer import Trainer, predict

D = ROBUST_AND_WEAK_DIM
EPS = 0.15


def bundle():
    # one robust feature and many weak ones: an undefended model leans on the weak features,
    # which an L-inf attack at EPS > 0.1 flips all at once
    return robust_and_weak_features()


INFO = ROBUST_AND_WEAK_INFO


def model():
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(D, 32), nn.ReLU(), nn.Linear(32, 2))


@pytest.fixture(scope="module")
def host():
    return PluginHost(load_entry_points=False, extra=[local_attacks])


def ctx(host):
    return DefenseContext(info=INFO, seed=0, registry=host.registry)


def trainer():
    return Trainer(TrainingConfig(epochs=15, lr=0.01, batch_size=64), Task.CLASSIFICATION, 0)


def robust_acc(net, data, host):
    spec = host.registry.get("perturbation", "local-fgsm")
    pert = spec.build({"eps": EPS, "steps": 5})
    pctx = PerturbContext(info=INFO, seed=0, generator=make_generator(0, "t"), model=net.eval())
    x_adv = pert.perturb(data.x_test, data.y_test, pctx)
    assert (x_adv - data.x_test).abs().max() <= EPS + 1e-6
    return float((predict(net, x_adv).argmax(1) == data.y_test).float().mean())


def clean_acc(net, data):
    return float((predict(net, data.x_test).argmax(1) == data.y_test).float().mean())


@pytest.fixture(scope="module")
def baseline(host):
    data = bundle()
    net = trainer().fit(model(), data.x_train, data.y_train)
    return clean_acc(net, data), robust_acc(net, data, host)


@pytest.mark.parametrize("defense", [
    PGDAdversarialTraining(PGDATParams(attack="local-fgsm", eps=EPS, steps=5)),
    FastAdversarialTraining(FastATParams(attack="local-fgsm", eps=EPS)),
], ids=["pgd-at", "fast-at"])
def test_adversarial_training_raises_robust_accuracy(defense, host, baseline):
    data = bundle()
    net = defense.train(model(), data, trainer(), ctx(host))
    clean, robust = clean_acc(net, data), robust_acc(net, data, host)
    base_clean, base_robust = baseline
    assert base_robust < 0.5  # the attack breaks the undefended model
    assert robust > base_robust + 0.3
    assert clean > 0.9 and not net.training


def test_unknown_attack_names_the_installed_gradient_perturbations(host):
    defense = PGDAdversarialTraining(PGDATParams(attack="no-such-attack"))
    with pytest.raises(ParamsError, match="local-fgsm") as err:
        defense.train(model(), bundle(), trainer(), ctx(host))
    assert "local-noise" not in str(err.value)


def test_attack_that_needs_no_gradients_is_refused(host):
    defense = PGDAdversarialTraining(PGDATParams(attack="local-noise"))
    with pytest.raises(ParamsError, match="needs nothing.*gradient perturbation"):
        defense.train(model(), bundle(), trainer(), ctx(host))


def test_bad_attack_params_name_the_attack(host):
    defense = PGDAdversarialTraining(PGDATParams(attack="local-fgsm",
                                                 attack_params={"radius": 1}))
    with pytest.raises(ParamsError, match="(?s)attack_params for 'local-fgsm'.*radius"):
        defense.train(model(), bundle(), trainer(), ctx(host))


def test_composes_in_a_pipeline_config(tmp_path, host):
    # the defense and the test attack are named in the config only; a test-local data set
    # and model plugin complete the pipeline
    from robustkit import hookimpl

    class Plugin:
        @hookimpl
        def robustkit_register_datasets(self, register):
            register.dataset("toy-vectors", lambda p: type("D", (), {"load": lambda s, seed:
                             bundle()})(), task="classification", modality="vector")

        @hookimpl
        def robustkit_register_models(self, register):
            register.model("toy-mlp", lambda p: type("B", (), {"build": lambda s, info: model()})(),
                           tasks=["classification"], modalities=["vector"])

        @hookimpl
        def robustkit_register_metrics(self, register):
            register.metric("acc", lambda p: type("M", (), {"compute": lambda s, ev: float(
                       (ev.outputs.argmax(1) == ev.y_true).float().mean())})(),
                       tasks=["classification"])

    from robustkit_adversarial_training import plugin as at_plugin

    h = PluginHost(load_entry_points=False, extra=[local_attacks, Plugin(), at_plugin])
    common = dict(dataset="toy-vectors", model="toy-mlp", metrics=["acc"],
                  perturbations=[{"name": "local-fgsm", "eps": EPS, "steps": 5}],
                  training={"epochs": 15, "lr": 0.01}, store=tmp_path / "r.db", cache=False)
    plain = Pipeline(**common).run(host=h)
    at = Pipeline(**common, defenses=[{"name": "pgd-at", "attack": "local-fgsm", "eps": EPS,
                                       "steps": 5}]).run(host=h)
    label = "local-fgsm[eps=0.15,steps=5]"
    assert at.value("acc", label) > plain.value("acc", label) + 0.3
