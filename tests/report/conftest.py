"""Stores written through the real Store API, with the numbers of the cases the report must
get right (no training: the report reads only the store, so a store is all it needs)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from robustkit.facts import CLEAN, PerturbationFacts
from robustkit.integrity import Flag
from robustkit.store import MetricRow, Store

PGD = PerturbationFacts("white-box", "gradients", "linf", True, False, "eps")
FGSM = PerturbationFacts("white-box", "gradients", "linf", False, False, "eps")
SQUARE = PerturbationFacts("black-box", "scores", "linf", True, False, "eps")
NOISE = PerturbationFacts("noise", "nothing", None, None, False, "severity")


def label(name: str, params: dict[str, Any]) -> str:
    from robustkit.config import ComponentRef

    return ComponentRef(name=name, params=params).label()


def write_run(db: Store, *, model: str = "mlp", defenses: list[str] | None = None,
              seed: int = 0, clean: float = 0.95, num_classes: int = 10,
              evals: list[tuple[str, dict[str, Any], PerturbationFacts, float]] = (),
              flags: list[tuple[str, str, str]] = (), dataset: str = "digits",
              epochs: int = 3) -> str:
    """One finished run: clean accuracy plus (name, params, facts, accuracy) evaluations and
    (check, label, message) stored flags."""
    config = {"dataset": {"name": dataset, "params": {}}, "model": {"name": model, "params": {}},
              "defenses": [{"name": d, "params": {}} for d in defenses or []],
              "train_perturbations": [], "training": {"epochs": epochs}}
    run_id = db.start_run(config=config, seed=seed, kernel_version="0.1.0",
                          plugins={"attacks": {"distribution": "robustkit-attacks",
                                               "version": "0.3.0"}})
    db.set_data_info(run_id, {"task": "classification", "num_classes": num_classes,
                              "train_samples": 1437, "eval_samples": 300})
    rows = [MetricRow("clean", "clean", {}, None, "accuracy", clean, CLEAN)]
    for name, params, facts, acc in evals:
        strength = params.get(facts.strength_param) if facts.strength_param else None
        rows.append(MetricRow(label(name, params), name, params,
                              None if strength is None else float(strength), "accuracy", acc,
                              facts))
    db.add_metrics(run_id, rows)
    db.add_flags(run_id, [Flag(c, lb, m) for c, lb, m in flags])
    db.finish_run(run_id, status="done")
    return run_id


@pytest.fixture
def store(tmp_path) -> Callable[..., Store]:
    opened: list[Store] = []

    def make(name: str = "r.db") -> Store:
        db = Store(tmp_path / name)
        opened.append(db)
        return db

    yield make
    for db in opened:
        db.close()


@pytest.fixture
def kit():
    """The helpers above, for tests (conftest modules cannot be imported by name here)."""
    from types import SimpleNamespace

    return SimpleNamespace(write_run=write_run, label=label, PGD=PGD, FGSM=FGSM, SQUARE=SQUARE,
                           NOISE=NOISE)
