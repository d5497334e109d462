"""The plugin registers its attacks, and they run inside a pipeline (with in-test data,
model and metric plugins, so only the kernel and this plugin are needed)."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from robustkit import Params, Pipeline, hookimpl
from robustkit.components import DataInfo, Modality, Needs, Target, Task
from robustkit.data import DataBundle
from robustkit.errors import RobustkitError
from robustkit.plugins import PluginHost


class _Protos:
    def __init__(self, params):
        pass

    def load(self, seed):
        protos = torch.rand(4, 1, 8, 8, generator=torch.Generator().manual_seed(7))
        gen = torch.Generator().manual_seed(seed)
        y = torch.randint(0, 4, (500,), generator=gen)
        x = (protos[y] + 0.2 * torch.randn(500, 1, 8, 8, generator=gen)).clamp(0, 1)
        info = DataInfo(Task.CLASSIFICATION, Modality.IMAGE, (1, 8, 8), (0.0, 1.0), 4)
        return DataBundle(x[:400], y[:400], x[400:], y[400:], info)


class _TinyNet:
    def __init__(self, params):
        self.argmax = params.argmax

    def build(self, info):
        net = nn.Sequential(nn.Flatten(), nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 4))
        return _OneHot(net) if self.argmax else net


class _OneHot(nn.Module):
    """A 'defense' whose outputs are one-hot argmax predictions: no gradient path."""

    def __init__(self, net):
        super().__init__()
        self.net = net

    def forward(self, x):
        out = self.net(x)
        if self.training:
            return out
        return nn.functional.one_hot(out.argmax(1), 4).float()


class _NetParams(Params):
    argmax: bool = False


class _Accuracy:
    def __init__(self, params):
        pass

    def compute(self, ev):
        return float((ev.outputs.argmax(1) == ev.y_true).float().mean())


class _TestPlugin:
    @hookimpl
    def robustkit_register_datasets(self, register):
        register.dataset("test-protos", _Protos, task="classification", modality="image")

    @hookimpl
    def robustkit_register_models(self, register):
        register.model("test-net", _TinyNet, params=_NetParams, tasks=["classification"],
                       modalities=["image"])

    @hookimpl
    def robustkit_register_metrics(self, register):
        register.metric("test-accuracy", _Accuracy, tasks=["classification"])


@pytest.fixture(scope="module")
def host():
    return PluginHost(extra=[_TestPlugin()])


def test_attacks_are_registered_as_gradient_perturbations(host):
    from robustkit.components import Kind

    for name in ("fgsm", "bim", "pgd", "pgd-l2", "mim"):
        spec = host.registry.get(Kind.PERTURBATION, name)
        assert spec.needs is Needs.GRADIENTS
        assert spec.targets == (Target.TEST_INPUTS,)
        assert spec.strength == "eps"
        assert spec.tasks == (Task.CLASSIFICATION,)
        assert spec.plugin == "attacks"


def _pipeline(tmp_path, perturbations, argmax=False):
    return Pipeline(dataset="test-protos", model={"name": "test-net", "argmax": argmax},
                    perturbations=perturbations, metrics=["test-accuracy"],
                    training={"epochs": 15, "lr": 0.01}, cache=False,
                    store=tmp_path / "r.db")


def test_eps_list_gives_a_falling_robustness_curve(tmp_path, host):
    result = _pipeline(tmp_path, [{"name": "pgd", "eps": [0.1, 0.2, 0.4]},
                                  {"name": "fgsm", "eps": 0.3}]).run(host=host)
    clean = result.value("test-accuracy", "clean")
    labels = [lb for lb in result.labels() if lb.startswith("pgd")]
    assert len(labels) == 3
    curve = [result.value("test-accuracy", lb) for lb in labels]
    assert clean > 0.9
    assert clean >= curve[0] >= curve[1] >= curve[2]
    assert curve[1] < clean - 0.3 and curve[2] < 0.2
    assert result.value("test-accuracy", [lb for lb in result.labels() if lb.startswith(
        "fgsm")][0]) < clean
    strengths = sorted(r.strength for r in result.rows if r.perturbation == "pgd")
    assert strengths == [0.1, 0.2, 0.4]


def test_pipeline_refuses_a_model_without_gradient_path(tmp_path, host):
    # the attack's own IncompatibleError already names the cause, so the kernel passes it on
    with pytest.raises(RobustkitError, match="no gradient path|do not depend differentiably"):
        _pipeline(tmp_path, [{"name": "pgd", "eps": 0.1}], argmax=True).run(host=host)
