"""The optimisation and black-box attacks' claims on digits / small-cnn through the Pipeline.

Needs robustkit-datasets, robustkit-vision-models and robustkit-optim-attacks.

- C&W L2 reaches >= 99% untargeted success with a lower mean L2 than PGD-L2 at equal success
  (PGD-L2 is the reference in ``robustkit_optim_attacks.reference``, bisected over epsilon).
- ZOO and AutoZOOM reach >= 90% within BUDGET queries per sample, AutoZOOM with fewer queries.
"""

import pytest
import torch

from robustkit import Pipeline, hookimpl
from robustkit.plugins import PluginHost

BUDGET = 2000  # queries per sample: the stated budget of the black-box claims
CW = {"name": "cw-l2", "binary_search_steps": 4, "max_iterations": 100, "learning_rate": 0.05}
METRICS = ["attack-success-rate", "l2-distortion", "linf-distortion", "queries-per-success"]
# 180 test samples and 15 epochs (~98% clean accuracy) keep this under a minute on two cores
CONFIG = dict(dataset={"name": "digits", "test_fraction": 0.1}, model="small-cnn",
              training={"epochs": 15, "lr": 0.002}, seed=0)


class _GrabModel:
    """A test-only perturbation that keeps the evaluated model and changes nothing, so the
    PGD reference attacks exactly the model (and test split) the pipeline attacked."""

    seen: dict = {}

    def __init__(self, params):
        pass

    def perturb(self, x, y, ctx):
        _GrabModel.seen.update(model=ctx.model, x=x, y=y, bounds=ctx.info.bounds)
        return x


class _GrabPlugin:
    @hookimpl
    def robustkit_register_perturbations(self, register):
        register.perturbation("grab-model", _GrabModel, needs="gradients", tasks=["classification"])


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    host = PluginHost(extra=[_GrabPlugin()])
    perturbations = [CW, {"name": "zoo", "max_queries": BUDGET},
                     {"name": "autozoom", "max_queries": BUDGET}, "grab-model"]
    store = tmp_path_factory.mktemp("optim") / "r.db"
    return Pipeline(**CONFIG, perturbations=perturbations, metrics=["accuracy", *METRICS],
                    store=store).run(host=host)


def _label(result, name):
    return next(r.label for r in result.rows if r.perturbation == name)


def test_cw_beats_pgd_l2_at_equal_success(result):
    from robustkit_optim_attacks.reference import pgd_l2_at_success, success_rate

    cw = _label(result, "cw-l2")
    rate = result.value("attack-success-rate", cw)
    assert rate >= 0.99
    seen = _GrabModel.seen
    eps, adv = pgd_l2_at_success(seen["model"], seen["x"], seen["y"], rate, rounds=8,
                                 steps=30, bounds=seen["bounds"])
    assert success_rate(seen["model"], seen["x"], adv, seen["y"]) >= rate
    with torch.no_grad():
        ok = (seen["model"](seen["x"]).argmax(1) == seen["y"]) & (
            seen["model"](adv).argmax(1) != seen["y"])
    pgd_mean_l2 = float((adv - seen["x"]).flatten(1).norm(dim=1)[ok].mean())
    cw_mean_l2 = result.value("l2-distortion.mean", cw)
    print(f"C&W mean L2 {cw_mean_l2:.3f} vs PGD-L2 {pgd_mean_l2:.3f} (eps {eps:.3f}) at "
          f"success {rate:.3f}")
    assert cw_mean_l2 < pgd_mean_l2


def test_black_box_attacks_reach_90_percent_within_budget(result):
    for name in ("zoo", "autozoom"):
        label = _label(result, name)
        assert result.value("attack-success-rate", label) >= 0.9, name
        assert result.value("queries-per-success.mean", label) <= BUDGET


def test_autozoom_needs_fewer_queries_than_zoo(result):
    zoo = result.value("queries-per-success.mean", _label(result, "zoo"))
    auto = result.value("queries-per-success.mean", _label(result, "autozoom"))
    print(f"queries per success: ZOO {zoo:.1f}, AutoZOOM {auto:.1f}, ratio {zoo / auto:.2f}")
    assert auto < zoo / 2


def test_attacks_lower_accuracy_and_clean_row_is_untouched(result):
    clean = result.value("accuracy", "clean")
    assert clean > 0.95
    for name in ("cw-l2", "zoo", "autozoom"):
        assert result.value("accuracy", _label(result, name)) < 0.1 * clean
    assert result.value("attack-success-rate", "clean") == 0
    assert result.value("l2-distortion.mean", "clean") is None  # undefined without successes


def test_targeted_attacks_are_scored_on_reaching_their_targets(tmp_path):
    # the same success metric after a targeted attack of either plugin counts target hits;
    # a weak targeted PGD fools more samples than it brings to their targets
    pytest.importorskip("robustkit_attacks")
    weak_pgd = {"name": "pgd", "eps": 0.15, "steps": 5, "target": "least-likely"}
    targeted_cw = {**CW, "target": "next", "initial_const": 1.0}
    run = Pipeline(**CONFIG, perturbations=[weak_pgd, targeted_cw],
                   metrics=["accuracy", "attack-success-rate"], eval_samples=90,
                   store=tmp_path / "r.db").run()
    pgd_label = "pgd[eps=0.15,steps=5,target=least-likely]"
    fooled = 1 - run.value("accuracy", pgd_label) / run.value("accuracy")  # roughly
    reached = run.value("attack-success-rate", pgd_label)
    assert reached < fooled - 0.05
    cw_label = ("cw-l2[binary_search_steps=4,initial_const=1,learning_rate=0.05,"
                "max_iterations=100,target=next]")
    assert run.value("attack-success-rate", cw_label) >= 0.95
