"""The golden set: five small pipelines whose every metric must stay bit-identical across a
refactor of the kernel. Each is as small as it can be while still exercising its path (a
training defense, integrity checks, a sweep's two phases, detection, forecasting)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from robustkit import Pipeline
from robustkit.config import default_pipeline

# threads=1 everywhere: float results depend on torch's thread count
COMMON: dict[str, Any] = {"threads": 1, "cache": False}


def _default() -> Pipeline:
    """The default pipeline (gaussian noise at two severities, FGSM, PGD with its integrity
    checks), reduced to two epochs on 200 evaluation samples."""
    return default_pipeline().replace(
        training={"epochs": 2, "batch_size": 64, "lr": 0.002}, eval_samples=200,
        integrity_samples=64, **COMMON)


def _pgd_at() -> Pipeline:
    """A training defense (PGD adversarial training, 2 steps), evaluated under FGSM, noise and
    an unconverged PGD (so the integrity checks raise a flag)."""
    return Pipeline(
        dataset="digits", model={"name": "mlp"},
        defenses=[{"name": "pgd-at", "eps": 0.1, "steps": 2}],
        # one-step PGD at a large radius has not converged: the more-steps check flags it
        perturbations=[{"name": "fgsm", "eps": 0.1}, {"name": "gaussian-noise", "severity": 3},
                       {"name": "pgd", "eps": 0.3, "steps": 1}],
        metrics=["accuracy", "macro-f1"], training={"epochs": 1}, eval_samples=150,
        integrity_samples=32, **COMMON)


def _detection() -> Pipeline:
    """Tea sprouts with the sprout detector, a corruption and the detection attack."""
    return Pipeline(
        dataset={"name": "tea-sprouts", "n_train": 96, "n_test": 16, "image_size": 32,
                 "max_sprouts": 3},
        model={"name": "sprout-detector", "width": 8},
        perturbations=[{"name": "gaussian-noise-c", "severity": 5},
                       {"name": "detection-pgd", "eps": 8 / 255, "steps": 2}],
        metrics=["map50", "map50-95", "box-precision", "box-recall"],
        training={"epochs": 6, "lr": 0.006, "batch_size": 16}, **COMMON)


def _forecasting() -> Pipeline:
    """Mackey-Glass forecasting with NARX under the regression FGSM at two strengths."""
    return Pipeline(
        dataset={"name": "mackey-glass", "params": {"length": 300, "window": 12}},
        model={"name": "narx", "params": {"hidden": 8, "denoise": False}},
        perturbations=[{"name": "ts-fgsm", "eps": [0.0, 0.05]}], metrics=["rmse"],
        training={"epochs": 2}, **COMMON)


PIPELINES = {
    "default": _default,
    "pgd-at": _pgd_at,
    "detection": _detection,
    "forecasting": _forecasting,
}


def _sweep() -> Any:
    from robustkit.sweep import Sweep

    return Sweep(name="golden", datasets=["digits"], models=["mlp"],
                 perturbations=[{"name": "gaussian-noise", "severity": [1, 5]}], seeds=[0],
                 training={"epochs": 1}, eval_samples=100, threads=1)


def run_pipeline_case(name: str, store: Path) -> dict[str, Any]:
    """Run one golden pipeline and return what must not change: every metric row (exact
    floats), the integrity flags and the model fingerprint."""
    result = PIPELINES[name]().replace(store=store).run()
    return {
        "rows": [[r.label, r.metric, r.value] for r in result.rows],
        "flags": sorted([f.label, f.check, f.message] for f in result.flags),
        "fingerprint": result.fingerprint,
    }


def run_sweep_case(store: Path) -> dict[str, Any]:
    """Run the golden sweep (one training cell, two evaluation cells) and return its rows."""
    from robustkit.store import Store
    from robustkit.sweep import run_sweep

    outcome = run_sweep(_sweep(), store=store)
    assert outcome.failed == [], outcome.failed
    with Store(store) as db:
        rows = [[r.label, r.metric, r.value] for run in db.runs()
                for r in db.metrics(run["id"])]
    return {"rows": sorted(rows, key=repr), "cells": outcome.ran}


CASES = [*PIPELINES, "sweep"]


def run_case(name: str, directory: Path) -> dict[str, Any]:
    store = directory / f"{name}.db"
    return run_sweep_case(store) if name == "sweep" else run_pipeline_case(name, store)
