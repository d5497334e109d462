"""Defensive distillation deploys at T = 1, which saturates the softmax: input gradients
vanish exactly (the masking Carlini & Wagner showed), and logits / T brings them back."""

from __future__ import annotations

import pytest
import torch
import toy
from robustkit_distillation.defensive import DefensiveDistillation, LogitTemperature
from robustkit_distillation.params import DefensiveDistillationParams, LogitTemperatureParams

from robustkit import ParamsError
from robustkit.data import DefenseContext
from robustkit.integrity import check_gradients, input_gradients
from robustkit.trainer import predict

# every test here uses the module's trained teacher and student (seconds of training)
pytestmark = pytest.mark.slow


def zero_share(net, data):
    g = input_gradients(net, data.x_test, data.y_test).flatten(1)
    return float((g.norm(dim=1) == 0).float().mean())


@pytest.fixture(scope="module")
def distilled():
    data = toy.bundle()
    ctx = DefenseContext(info=toy.INFO, seed=0)
    net = DefensiveDistillation(DefensiveDistillationParams(temperature=100)).train(
        toy.model(), data, toy.trainer(30, lr=0.05), ctx)  # logits must grow ~T-fold
    return net, data


def test_deployed_at_t1_gradients_vanish_and_accuracy_holds(distilled):
    net, data = distilled
    plain = toy.trainer().fit(toy.model(), data.x_train, data.y_train)
    acc = float((predict(net, data.x_test).argmax(1) == data.y_test).float().mean())
    assert acc > 0.95 and not net.training
    assert zero_share(plain, data) < 0.1
    assert zero_share(net, data) > 0.5  # saturated softmax at T = 1
    assert [f.check for f in check_gradients(net, data.x_test, data.y_test, "t")] == [
        "zero-gradients"]


def test_logit_temperature_restores_gradients_without_changing_predictions(distilled):
    net, data = distilled
    scaled = LogitTemperature(LogitTemperatureParams(temperature=100)).wrap(net, None)
    assert torch.equal(predict(scaled, data.x_test).argmax(1), predict(net, data.x_test).argmax(1))
    # on this separable toy task even logits / T saturate for the easiest points; the share
    # of exactly-zero gradients must still fall by at least half
    assert zero_share(scaled, data) < 0.5 * zero_share(net, data)


def test_temperature_is_bounded():
    from robustkit_distillation import plugin

    from robustkit.plugins import PluginHost

    spec = PluginHost(load_entry_points=False, extra=[plugin]).registry.get(
        "defense", "defensive-distillation")
    with pytest.raises(ParamsError, match="temperature"):
        spec.validate_params({"temperature": 0.5})
