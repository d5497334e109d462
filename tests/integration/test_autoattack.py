"""auto-attack and square in a pipeline on digits / small-cnn: stored per-stage counts, query
statistics through the score oracle, and the ensemble no weaker than PGD."""

from __future__ import annotations

import pytest

from robustkit import Pipeline


@pytest.fixture(scope="module")
def result(tmp_path_factory):
    store = tmp_path_factory.mktemp("autoattack") / "r.db"
    return Pipeline(
        dataset="digits", model="small-cnn",
        perturbations=[{"name": "pgd", "eps": 0.05},
                       {"name": "auto-attack", "eps": 0.05, "steps": 20,
                        "square_queries": 200},
                       {"name": "square", "eps": 0.05, "max_queries": 200}],
        metrics=["accuracy", "attack-stages", "queries-per-success"],
        training={"epochs": 30, "lr": 0.002}, store=store,
    ).run()


def _label(result, name):
    return next(lb for lb in result.labels() if lb.startswith(name + "["))


@pytest.mark.slow
def test_stage_counts_are_stored_and_add_up(result):
    aa = _label(result, "auto-attack")
    n = sum(result.value(f"attack-stages.{k}", aa) for k in
            ("clean-misclassified", "apgd-ce", "apgd-t", "square", "robust"))
    assert n > 100 and n == int(n)
    # every test sample is in exactly one outcome, so robust / all is the robust accuracy
    robust = result.value("attack-stages.robust", aa) / n
    assert robust == pytest.approx(result.value("accuracy", aa), abs=1e-6)  # float32
    assert result.value("accuracy", aa) <= result.value("accuracy", _label(result, "pgd"))


@pytest.mark.slow
def test_square_reports_queries_through_the_oracle(result):
    sq = _label(result, "square")
    assert result.value("accuracy", sq) < result.value("accuracy")
    assert 1 <= result.value("queries-per-success.mean", sq) <= 201
