"""Adaptive escalation with the installed attacks: masked numbers are repaired, never raised.

- defensive distillation (T = 100) on digits: PGD reports a flat, high robust accuracy; the
  escalated worst case at ε = 0.2 is below 10 %, the defense unchanged;
- a non-differentiable input transform (bit-depth quantisation): plain PGD cannot move a
  sample (it refuses the model), BPDA brings accuracy far below the clean number;
- a randomised defense (Gaussian input noise at inference): PGD through EOT leaves fewer
  samples correct than PGD through one draw;
- over a small sweep, every stored worst case is at most the reported number.
"""

from __future__ import annotations

import re
import sys

import pytest
import torch
from pydantic import Field
from torch import nn

from robustkit import Params, hookimpl
from robustkit.adaptive import EOT, bpda
from robustkit.components import DataInfo, Kind, Modality, Task
from robustkit.data import PerturbContext, make_generator
from robustkit.plugins import PluginHost, get_registry
from robustkit.store import Store
from robustkit.sweep import Sweep, run_sweep
from robustkit.wrappers import InputTransformModel

DISTILLED = dict(dataset="digits", model={"name": "mlp", "hidden": [128, 128]},
                 defenses=[{"name": "defensive-distillation", "temperature": 100.0}],
                 metrics=["accuracy"], training={"epochs": 30, "lr": 0.01}, seed=0,
                 eval_samples=200, integrity_samples=200)


# -- a test plugin: two input-transform defenses ------------------------------------------
class BitsParams(Params):
    bits: int = Field(1, ge=1, le=8, description="bits kept per value")


class BitDepth:
    """Feature squeezing (Xu et al. 2018): round every value to ``bits`` bits."""

    def __init__(self, params: BitsParams):
        self.levels = 2**params.bits - 1

    def transform(self, x: torch.Tensor) -> torch.Tensor:
        return torch.round(x * self.levels) / self.levels


class NoiseParams(Params):
    sigma: float = Field(0.3, ge=0, le=10, description="std of the input noise")


class InputNoise:
    """Gaussian noise on every input at inference, clipped to [0, 1]: randomised."""

    def __init__(self, params: NoiseParams):
        self.sigma = params.sigma

    def transform(self, x: torch.Tensor) -> torch.Tensor:
        return (x + self.sigma * torch.randn_like(x)).clamp(0, 1)


@hookimpl
def robustkit_register_defenses(register):
    register.input_transform("test-bit-depth", BitDepth, params=BitsParams,
                             differentiable=False, tasks=["classification"])
    register.input_transform("test-input-noise", InputNoise, params=NoiseParams,
                             tasks=["classification"])


def _host() -> PluginHost:
    return PluginHost(extra=[sys.modules[__name__]])


# -- defensive distillation -----------------------------------------------------------------
@pytest.mark.slow
def test_distillation_pgd_number_is_repaired_below_ten_percent(tmp_path):
    from robustkit import Pipeline

    result = Pipeline(**DISTILLED, perturbations=[{"name": "pgd", "eps": [0.1, 0.2, 0.3],
                                                   "steps": 10}],
                      store=tmp_path / "r.db", cache=False).run()
    pgd = {lab: result.value("accuracy", lab) for lab in result.labels() if lab != "clean"}
    assert min(pgd.values()) > 0.7 and max(pgd.values()) - min(pgd.values()) < 0.15  # flat
    esc = {e.label: e for e in result.escalations}
    assert set(esc) == set(pgd)  # every cell was doubted (zero gradients) and escalated
    at_02 = esc["pgd[eps=0.2,steps=10]"]
    assert at_02.worst < 0.10 and at_02.reported == pytest.approx(pgd[at_02.label])
    assert all(e.worst <= e.reported for e in esc.values())
    assert result.config["defenses"] == [{"name": "defensive-distillation",
                                          "params": {"temperature": 100.0}}]


# -- BPDA and EOT ----------------------------------------------------------------------------
@pytest.fixture(scope="module")
def digits_cnn():
    from sklearn.datasets import load_digits

    torch.manual_seed(0)
    d = load_digits()
    x = torch.tensor(d.data / 16.0, dtype=torch.float32).view(-1, 1, 8, 8)
    y = torch.tensor(d.target)
    net = nn.Sequential(nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.Flatten(),
                        nn.Linear(16 * 64, 10))
    opt = torch.optim.Adam(net.parameters(), lr=0.01)
    noise = InputNoise(NoiseParams(sigma=0.3))
    for _ in range(150):  # trained on noisy inputs, so the noise defense keeps accuracy
        opt.zero_grad()
        nn.functional.cross_entropy(net(noise.transform(x[:1300])), y[:1300]).backward()
        opt.step()
    return net.eval(), x[1300:1500], y[1300:1500]


INFO = DataInfo(Task.CLASSIFICATION, Modality.IMAGE, (1, 8, 8), (0.0, 1.0), num_classes=10)


def _pgd_accuracy(attacked, deployed, x, y, eps=0.2):
    atk = get_registry().get(Kind.PERTURBATION, "pgd").build({"eps": eps, "steps": 50})
    ctx = PerturbContext(info=INFO, seed=0, generator=make_generator(0, "p"), model=attacked)
    x_adv = atk.perturb(x, y, ctx)
    torch.manual_seed(1)
    with torch.no_grad():
        return float((deployed(x_adv).argmax(1) == y).float().mean())


@pytest.mark.slow
def test_bpda_breaks_bit_depth_quantisation(digits_cnn):
    from robustkit.errors import IncompatibleError

    net, x, y = digits_cnn
    model = InputTransformModel(BitDepth(BitsParams(bits=1)).transform, net).eval()
    with torch.no_grad():
        clean = float((model(x).argmax(1) == y).float().mean())
    with pytest.raises(IncompatibleError):  # plain PGD sees only zero gradients
        _pgd_accuracy(model, model, x, y)
    # measured (benchmarks/integrity_measurements.py): clean 0.935, BPDA-PGD-50 0.475
    assert _pgd_accuracy(bpda(model), model, x, y) < clean - 0.3


@pytest.mark.slow
def test_eot_beats_one_draw_on_a_randomised_defense(digits_cnn):
    net, x, y = digits_cnn
    model = InputTransformModel(InputNoise(NoiseParams(sigma=0.3)).transform, net).eval()
    plain = _pgd_accuracy(model, model, x, y)
    eot = _pgd_accuracy(EOT(model, 16), model, x, y)
    # measured (benchmarks/integrity_measurements.py): one draw 0.805, EOT (16 draws) 0.48
    assert eot < plain - 0.15


@pytest.mark.slow
def test_pipeline_escalates_a_non_differentiable_defense_with_bpda(tmp_path):
    from robustkit import Pipeline

    pytest.importorskip("torchattacks")  # its Square is the cell's (score-only) attack
    result = Pipeline(dataset="digits", model="mlp", training={"epochs": 10, "lr": 0.01},
                      defenses=[{"name": "art-feature-squeezing", "bit_depth": 1}],
                      perturbations=[{"name": "ta-square", "eps": 0.2, "n_queries": 20}],
                      eval_samples=150, store=tmp_path / "r.db", cache=False
                      ).run(host=_host())
    (label,) = [lab for lab in result.labels() if lab != "clean"]
    checks = {f.check for f in result.flags_for(label)}
    assert "non-differentiable-defense" in checks
    (e,) = result.escalations
    assert "bpda+pgd" in e.attack and e.worst < e.reported - 0.2


# -- never raises ----------------------------------------------------------------------------
@pytest.mark.slow
def test_escalation_never_raises_a_number_over_a_sweep(tmp_path):
    sweep = Sweep(name="esc", datasets=["digits"], models=[{"name": "mlp",
                                                             "hidden": [128, 128]}],
                  defenses=[[], [{"name": "defensive-distillation", "temperature": 100.0}]],
                  perturbations=[{"name": "fgsm", "eps": [0.05, 0.2]},
                                 {"name": "pgd", "eps": [0.05, 0.2], "steps": 5}],
                  training={"epochs": 15, "lr": 0.01}, eval_samples=120)
    run_sweep(sweep, store=tmp_path / "r.db")
    escalated = 0
    with Store(tmp_path / "r.db") as db:
        for run in db.runs():
            values = {(m.label, m.metric): m.value for m in db.metrics(run["id"])}
            for e in db.escalations(run["id"]):
                escalated += 1
                assert e["worst"] <= values[(e["label"], "accuracy")] + 1e-9
                assert e["reported"] == pytest.approx(values[(e["label"], "accuracy")])
    assert escalated >= 4  # the distilled cells at least


@pytest.mark.slow
def test_robustkit_run_shows_reported_and_worst_case(tmp_path):
    from click.testing import CliRunner

    from robustkit.cli import main

    cfg = tmp_path / "dd.toml"
    cfg.write_text('dataset = "digits"\nmodel = {name = "mlp", hidden = [128, 128]}\n'
                   'defenses = [{name = "defensive-distillation", temperature = 100.0}]\n'
                   'perturbations = [{name = "pgd", eps = 0.2, steps = 10}]\n'
                   'training = {epochs = 30, lr = 0.01}\neval_samples = 200\ncache = false\n')
    out = CliRunner().invoke(main, ["run", str(cfg), "--store", str(tmp_path / "r.db")],
                             env={"COLUMNS": "200"})
    assert out.exit_code == 0, out.output
    assert "reported → worst case (attack)" in out.output
    # measured: 0.8650 → 0.0000 (pgd(logits/T=59.7))
    assert re.search(r"0\.[789]\d{3} → 0\.0\d{3} \(", out.output), out.output


def test_attempt_params_are_fitted_to_each_attacks_names():
    from robustkit.errors import ParamsError
    from robustkit.escalation import fit_params

    reg = get_registry()
    square = reg.get(Kind.PERTURBATION, "square")
    wanted = {"eps": 0.2, "norm": "linf", "queries": 1000}
    assert fit_params(square, wanted) == {"eps": 0.2, "norm": "linf", "max_queries": 1000}
    fgsm = reg.get(Kind.PERTURBATION, "fgsm")  # no steps, no norm: budget dropped, L2 refused
    assert fit_params(fgsm, {"eps": 0.2, "norm": "linf", "steps": 50}) == {"eps": 0.2}
    with pytest.raises(ParamsError, match="norm"):
        fit_params(fgsm, {"eps": 0.2, "norm": "l2"})
    with pytest.raises(ParamsError, match="loss"):  # ART's FGSM has no loss to choose
        fit_params(reg.get(Kind.PERTURBATION, "art-fgsm"), {"eps": 0.2, "loss": "dlr"})
