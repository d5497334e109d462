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


def _shifted(fn, seed, corner=False):
    """``fn`` with its optimum moved to a point drawn for ``seed`` (as
    benchmarks/issa_shifted.py does), so a search biased toward the box's centre gains
    nothing."""
    rng = np.random.default_rng(10_000 + seed)
    opt = (rng.uniform(3, 4.5, 5) * rng.choice([-1.0, 1.0], 5) if corner
           else rng.uniform(-4, 4, 5))
    return lambda p: fn(np.array(list(p.values())) - opt)


def _sphere(v):
    return float((v**2).sum())


def _rastrigin(v):
    return float(10 * len(v) + (v**2 - 10 * np.cos(2 * np.pi * v)).sum())


@pytest.mark.parametrize("fn, corner", [(_rastrigin, False), (_sphere, False), (_sphere, True)])
def test_issa_beats_random_search_at_equal_budget_with_the_optimum_moved(fn, corner):
    """30 trials, 60 seeds, a new optimum per seed. Measured (benchmarks/issa_shifted.py,
    benchmarks/results/issa_shifted.json): ISSA / random mean best value 44.9 / 53.2 (0.84),
    43/60 wins on Rastrigin; 10.7 / 14.4 (0.74), 40/60 on the sphere; optimum in a corner,
    sphere 17.1 / 25.5 (0.67), 43/60. Over 12-seed windows the Rastrigin ratio ranged
    0.74-0.98 and the wins 7-11 of 12. The former centre-contracting ISSA won only 37/60 at a
    corner (31/60 at 20 trials): the thresholds below leave room for seed noise, not for
    a search that only works when the optimum sits mid-box."""
    objs = [_shifted(fn, s, corner) for s in range(60)]
    ours = np.array([issa(f, SPACE, 30, seed=s).best_value for s, f in enumerate(objs)])
    rand = np.array([random_search(f, SPACE, 30, seed=s).best_value
                     for s, f in enumerate(objs)])
    assert ours.mean() < 0.92 * rand.mean(), (ours.mean(), rand.mean())
    assert int((ours < rand).sum()) >= 36


def test_contracting_about_the_centre_is_still_available_and_checked():
    f = _shifted(_sphere, 0)
    assert issa(f, SPACE, 12, seed=0, contract_to="centre").trials == 12
    assert issa(f, SPACE, 12, seed=0, init="uniform").trials == 12
    with pytest.raises(ParamsError, match="contract_to"):
        issa(f, SPACE, 12, contract_to="middle")
    with pytest.raises(ParamsError, match="init"):
        issa(f, SPACE, 12, init="sobol")


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


@pytest.mark.slow
def test_pipeline_objective_tunes_a_registered_model():
    objective = pipeline_objective(
        "mackey-glass", "narx", dataset_params={"length": 400, "window": 8},
        training={"epochs": 4, "batch_size": 32}, fixed={"denoise": False})
    good = objective({"hidden": 16, "lr": 0.01, "window": 12})
    bad = objective({"hidden": 16, "lr": 1e-5, "window": 12})
    assert np.isfinite(good) and good < bad
