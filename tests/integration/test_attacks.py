"""Gradient attacks with the first-party data sets, models and metrics (the default pipeline's
setup): robustness curves over eps and the attack integrity checks the design asks for."""

from __future__ import annotations

import pytest

from robustkit import Pipeline
from robustkit.config import default_pipeline


@pytest.fixture(scope="module")
def attacked(tmp_path_factory):
    store = tmp_path_factory.mktemp("attacks") / "r.db"
    return Pipeline(
        dataset="digits", model="small-cnn",
        perturbations=[{"name": "fgsm", "eps": [0.05, 0.1, 0.2]},
                       {"name": "pgd", "eps": [0.05, 0.1, 0.2]},
                       {"name": "pgd", "eps": 0.1, "random_start": False},
                       {"name": "pgd", "eps": 0.1, "random_start": False, "mode": "generate"},
                       {"name": "gaussian-noise", "sigma": 0.1}],
        metrics=["accuracy"], training={"epochs": 30, "lr": 0.002}, store=store,
    ).run()


def _curve(result, name):
    labels = [lb for lb in result.labels() if lb.startswith(name + "[eps=") and "," not in lb]
    return [result.value("accuracy", lb) for lb in labels]


def test_accuracy_falls_as_eps_grows(attacked):
    clean = attacked.value("accuracy")
    for name in ("fgsm", "pgd"):
        curve = _curve(attacked, name)
        assert len(curve) == 3
        assert clean > curve[0] > curve[1] > curve[2], (name, clean, curve)
    assert _curve(attacked, "pgd")[-1] < 0.05


def test_iterative_attack_beats_one_step_and_noise(attacked):
    # Carlini et al. 2019: an iterative attack weaker than FGSM or than random noise at the
    # same budget would signal gradient masking or a broken attack
    for fgsm_acc, pgd_acc in zip(_curve(attacked, "fgsm"), _curve(attacked, "pgd"),
                                 strict=True):
        assert pgd_acc <= fgsm_acc
    noise = attacked.value("accuracy", "gaussian-noise[sigma=0.1]")
    assert attacked.value("accuracy", "pgd[eps=0.1]") < noise


def test_evaluation_mode_is_no_weaker_than_the_full_attack(attacked):
    # the same start for both (each setting draws its random start from its own seed, so
    # with random starts the two would follow different trajectories)
    labels = [lb for lb in attacked.labels() if lb.startswith("pgd[") and "random_start" in lb]
    early = attacked.value("accuracy", next(lb for lb in labels if "generate" not in lb))
    full = attacked.value("accuracy", next(lb for lb in labels if "generate" in lb))
    assert early <= full


def test_default_pipeline_includes_fgsm_and_pgd():
    cfg = default_pipeline()
    names = [p.name for p in cfg.perturbations]
    assert "fgsm" in names and "pgd" in names
