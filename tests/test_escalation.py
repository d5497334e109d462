"""Adaptive escalation's parts: the gradient views (BPDA, EOT, logits / T), the config switch,
the store API and the bookkeeping of a doubted cell (kernel only: the toy plugin)."""

from __future__ import annotations

import pytest
import torch
from torch import nn

from robustkit import Pipeline
from robustkit.adaptive import EOT, LogitScale, bpda, is_randomised, unsaturating_temperature
from robustkit.errors import ConfigError
from robustkit.escalation import Escalation, worst_case_column
from robustkit.store import Store
from robustkit.wrappers import InputTransformModel


def _rounding(x):
    return torch.round(x * 3) / 3


def test_bpda_keeps_the_forward_pass_and_takes_the_identity_backward():
    torch.manual_seed(0)
    net = nn.Linear(4, 3)
    model = nn.Sequential(InputTransformModel(_rounding, net))  # nested: found anyway
    x = torch.rand(5, 4, requires_grad=True)
    (plain,) = torch.autograd.grad(model(x).sum(), x)
    assert not plain.any()  # rounding masks every gradient
    twin = bpda(model)
    assert torch.allclose(twin(x), model(x))
    (through,) = torch.autograd.grad(twin(x).sum(), x)
    (of_net,) = torch.autograd.grad(net(x).sum(), x)
    assert torch.allclose(through, of_net)
    assert isinstance(model[0], InputTransformModel)  # the deployed model is untouched
    assert bpda(net) is net  # nothing to replace


class _Noisy(nn.Module):
    def __init__(self, net):
        super().__init__()
        self.net = net

    def forward(self, x):
        return self.net(x + 0.5 * torch.randn_like(x))


def test_eot_averages_probabilities_over_draws_and_randomness_is_detected():
    torch.manual_seed(0)
    net = nn.Linear(4, 3)
    x = torch.rand(6, 4)
    assert not is_randomised(net, x)
    noisy = _Noisy(net)
    assert is_randomised(noisy, x)
    logp = EOT(noisy, draws=32)(x)
    assert logp.shape == (6, 3)
    assert torch.allclose(logp.exp().sum(1), torch.ones(6), atol=1e-5)
    assert torch.allclose(EOT(net, draws=4)(x), torch.log_softmax(net(x), 1), atol=1e-5)


def test_temperature_unsaturates_without_changing_predictions():
    torch.manual_seed(0)
    net = nn.Sequential(nn.Linear(4, 3))
    hot = LogitScale(net, 1 / 500)  # logits x 500: a saturated softmax
    x = torch.rand(16, 4)
    t = unsaturating_temperature(hot, x)
    assert t > 1
    cooled = LogitScale(hot, t)
    assert torch.equal(cooled(x).argmax(1), net(x).argmax(1))
    top2 = cooled(x).detach().topk(2, 1).values
    assert float((top2[:, 0] - top2[:, 1]).median()) == pytest.approx(10.0, rel=1e-3)
    assert unsaturating_temperature(net, x) == 1.0  # never sharpens


def test_integrity_switch_takes_modes_and_the_old_booleans(toy_config):
    assert toy_config.integrity == "escalate"
    assert toy_config.replace(integrity=True).integrity == "escalate"
    assert toy_config.replace(integrity=False).integrity == "off"
    assert toy_config.replace(integrity="flag").integrity == "flag"
    with pytest.raises((ConfigError, ValueError)):
        toy_config.replace(integrity="sometimes")


def test_store_keeps_escalations(tmp_path):
    with Store(tmp_path / "r.db") as db:
        run = db.start_run(config={}, seed=0, kernel_version="0", plugins={})
        e = Escalation("pgd[eps=0.2]", "accuracy", 0.86, 0.0, "pgd(logits/T=60)",
                       ["zero-gradients"], [{"attack": "pgd(logits/T=60)", "accuracy": 0.0,
                                             "broke": 172}])
        db.add_escalations(run, [e])
        (row,) = db.escalations(run)
    assert row["worst"] == 0.0 and row["attack"] == "pgd(logits/T=60)"
    assert row["checks"] == ["zero-gradients"] and row["attempts"][0]["broke"] == 172
    assert worst_case_column([row]) == {"pgd[eps=0.2]": "0.8600 → 0.0000 (pgd(logits/T=60))"}


def _saturated(toy_config, mode):
    return toy_config.replace(model="saturated-linear", integrity=mode,
                              perturbations=[{"name": "toy-pgd", "eps": 0.3}])


def test_flag_mode_flags_and_does_not_escalate(toy_host, toy_config):
    r = _saturated(toy_config, "flag").run(host=toy_host)
    assert any(f.check == "zero-gradients" for f in r.flags)
    assert r.escalations == []
    with Store(r.store_path) as db:
        assert db.escalations(r.run_id) == []


def test_off_mode_runs_no_checks(toy_host, toy_config):
    r = _saturated(toy_config, "off").run(host=toy_host)
    assert r.flags == [] and r.escalations == []


def test_escalate_mode_records_every_attempt_even_when_none_is_installed(toy_host, toy_config):
    # the toy host has none of pgd / apgd / square: each attempt is skipped with its reason,
    # and the worst case stays the reported number
    r = _saturated(toy_config, "escalate").run(host=toy_host)
    (e,) = r.escalations
    assert e.label == "toy-pgd[eps=0.3]" and "zero-gradients" in e.checks
    assert e.worst == e.reported == r.value("acc", "toy-pgd[eps=0.3]")
    assert e.attack == "reported"
    assert {a["attack"].split("(")[0] for a in e.attempts} >= {"pgd", "pgd-margin", "square"}
    assert all("no perturbation named" in a["skipped"] for a in e.attempts)
    with Store(r.store_path) as db:
        assert db.escalations(r.run_id)[0]["worst"] == e.worst


def test_pipeline_config_from_dict_accepts_the_modes():
    cfg = Pipeline.model_validate({"dataset": "toy", "model": "linear", "integrity": "flag"})
    assert cfg.integrity == "flag"
