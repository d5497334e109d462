"""The ISSA and random-search tuners: budgets, decoding, and ISSA's advantage."""

from __future__ import annotations

import numpy as np
import pytest
from robustkit_timeseries.tuning import (
    Dim,
    Space,
    issa,
    pipeline_objective,
    random_search,
    tent_sequence,
)

from robustkit.errors import ParamsError

OPT = np.array([1.3, -2.1, 0.7, 3.0, -0.4])
SPACE = Space([Dim(f"x{i}", -5, 5) for i in range(5)])


def rastrigin(p):
    v = np.array(list(p.values())) - OPT
    return float(10 * len(v) + (v**2 - 10 * np.cos(2 * np.pi * v)).sum())


@pytest.mark.parametrize("search", [issa, random_search])
def test_every_search_spends_exactly_its_budget(search):
    calls = []
    res = search(lambda p: calls.append(p) or rastrigin(p), SPACE, 23, seed=1)
    assert len(calls) == res.trials == 23
    assert res.best_value == min(v for _, v in res.history)
    assert all(-5 <= v <= 5 for p in calls for v in p.values())


def test_issa_beats_random_search_at_equal_budget_over_seeds():
    budget = 30
    ours = [issa(rastrigin, SPACE, budget, seed=s).best_value for s in range(12)]
    rand = [random_search(rastrigin, SPACE, budget, seed=s).best_value for s in range(12)]
    assert np.mean(ours) < 0.9 * np.mean(rand)
    assert sum(a < b for a, b in zip(ours, rand, strict=True)) >= 8


def test_decoding_respects_kinds():
    space = Space([Dim("n", 2, 5, "int"), Dim("lr", 1e-4, 1e-1, "log"),
                   Dim("act", choices=("tanh", "relu"))])
    lo, hi = space.decode(np.zeros(3)), space.decode(np.ones(3))
    assert lo == {"n": 2, "lr": pytest.approx(1e-4), "act": "tanh"}
    assert hi == {"n": 5, "lr": pytest.approx(1e-1), "act": "relu"}
    ints = {space.decode(np.array([u, 0.5, 0.5]))["n"] for u in np.linspace(0, 1, 101)}
    assert ints == {2, 3, 4, 5}


def test_tent_initialisation_covers_the_box():
    pts = tent_sequence(200, 2, np.random.default_rng(0))
    assert pts.min() > 0 and pts.max() < 1
    hist, _, _ = np.histogram2d(pts[:, 0], pts[:, 1], bins=4, range=[[0, 1], [0, 1]])
    assert (hist > 0).all()


def test_bad_spaces_and_budgets_are_refused():
    with pytest.raises(ParamsError, match="low 3 must be < high 1"):
        Space([Dim("a", 3, 1)])
    with pytest.raises(ParamsError, match="log scale needs low > 0"):
        Space([Dim("a", 0, 1, "log")])
    with pytest.raises(ParamsError, match="budget must be >= 1"):
        random_search(rastrigin, SPACE, 0)


def test_diverged_trials_count_as_worst_not_crash():
    res = random_search(lambda p: float("nan") if p["x0"] > 0 else 1.0, SPACE, 10, seed=0)
    assert res.best_value == 1.0


def test_pipeline_objective_tunes_a_registered_model():
    objective = pipeline_objective(
        "mackey-glass", "narx", dataset_params={"length": 400, "window": 8},
        training={"epochs": 4, "batch_size": 32}, fixed={"denoise": False})
    good = objective({"hidden": 16, "lr": 0.01, "window": 12})
    bad = objective({"hidden": 16, "lr": 1e-5, "window": 12})
    assert np.isfinite(good) and good < bad
