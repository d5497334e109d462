"""The per-kind adapters the pipeline and the contract tests share (robustkit/adapters.py)."""

import math

import pytest
import torch
from torch import nn

from robustkit import DataInfo, DefenseForm, Modality, Needs, ScoreOracle, Task
from robustkit.adapters import apply_defense, metric_items, model_access
from robustkit.data import DefenseContext
from robustkit.testing.synthetic import synthetic_bundle

INFO = DataInfo(Task.CLASSIFICATION, Modality.VECTOR, (3,), (0.0, 1.0), num_classes=2)


def test_metric_items_reads_floats_dicts_and_undefined_values():
    assert metric_items(0.5) == [(None, 0.5)]
    assert metric_items({"mean": torch.tensor(2.0), "nan": math.nan, "none": None}) == [
        ("mean", 2.0), ("nan", None), ("none", None)]


@pytest.mark.parametrize("value, named", [("high", r"'high' \(str\) for its value"),
                                          ({"x": torch.ones(2)}, r"shape \(2,\) for x"),
                                          (True, r"True \(bool\) for its value")])
def test_metric_items_names_the_value_that_is_not_a_number(value, named):
    with pytest.raises(TypeError, match=named):
        metric_items(value)


def test_model_access_follows_the_registered_needs():
    model = nn.Linear(3, 2)
    assert model_access(Needs.NOTHING, model, INFO, 8) is None
    assert model_access(Needs.GRADIENTS, model, INFO, 8) is model
    oracle = model_access(Needs.SCORES, model, INFO, 8)
    assert isinstance(oracle, ScoreOracle)
    scores = oracle(torch.rand(5, 3))
    assert torch.allclose(scores.sum(-1), torch.ones(5))  # softmax scores, no module access
    assert oracle.total_queries == 5


def test_apply_defense_dispatches_on_the_form():
    data = synthetic_bundle(0, modality=Modality.VECTOR)
    ctx = DefenseContext(info=data.info, seed=0)
    model = nn.Sequential(nn.Linear(16, 4))

    class Halve:
        def __init__(self):
            self.fitted = False

        def fit(self, data, ctx):
            self.fitted = True

        def transform(self, x):
            return x / 2

    halve = Halve()
    wrapped = apply_defense(DefenseForm.INPUT_TRANSFORM, halve, model, data, ctx)
    x = data.x_test[:4]
    assert halve.fitted and torch.equal(wrapped(x), model(x / 2))
    with pytest.raises(ValueError, match="needs the trainer"):
        apply_defense(DefenseForm.TRAINING, object(), model, data, ctx)


def test_a_metric_returning_text_fails_the_run_naming_the_metric(toy_host, toy_config):
    from robustkit import PluginError, hookimpl
    from robustkit.pipeline import run_pipeline

    class Chatty:
        def __init__(self, params):
            pass

        def compute(self, ev):
            return "high"

    class Plugin:
        @hookimpl
        def robustkit_register_metrics(self, register):
            register.metric("chatty", Chatty, summary="returns text")

    toy_host.add_plugin(Plugin(), "chatty-plugin")
    config = type(toy_config).model_validate({**toy_config.model_dump(), "metrics": ["chatty"]})
    with pytest.raises(PluginError, match="metric 'chatty' from plugin 'chatty-plugin'.*str"):
        run_pipeline(config, host=toy_host)
