"""Strength is MLflow's step (so it draws curves); sweeps are exported from the driver, once
each, under one parent run, and a resumed sweep sends what MLflow lacks."""

from __future__ import annotations

from robustkit_mlflow import exporter

from robustkit import Pipeline
from robustkit.sweep import Sweep, run_sweep


def _client(uri):
    from mlflow import MlflowClient

    client = MlflowClient(tracking_uri=uri)
    return client, client.get_experiment_by_name("tests").experiment_id


SWEEP = dict(name="toy-sweep", datasets=["toy"], models=["linear"], metrics=["accuracy"],
             perturbations=[{"name": "shift", "amount": [0.2, 0.5]}], seeds=[0, 1],
             training={"epochs": 2, "batch_size": 32, "lr": 0.1})


def test_strength_is_the_step_of_a_curve(tmp_path, host, tracking):
    Pipeline(dataset="toy", model="linear", metrics=["accuracy"],
             perturbations=[{"name": "shift", "amount": [0.2, 0.5]}],
             training={"epochs": 2}, store=tmp_path / "r.db", cache=False).run(host=host)
    assert exporter.flush(120)
    client, exp = _client(tracking)
    (run,) = client.search_runs([exp])
    history = client.get_metric_history(run.info.run_id, "accuracy/shift")
    assert sorted(m.step for m in history) == [200, 500]  # round(1000 x amount)
    assert run.data.tags["robustkit.step.accuracy/shift"] == "round(1000 * strength)"
    by_step = {m.step: m.value for m in history}
    per_label = run.data.metrics
    assert by_step[500] == per_label[exporter.metric_key("accuracy", "shift[amount=0.5]")]


def test_integer_strengths_are_their_own_steps():
    steps, rule = exporter.strength_steps([1.0, 3.0, 5.0])
    assert steps == {1.0: 1, 3.0: 3, 5.0: 5} and rule == "strength"
    assert exporter.curve_label("pgd", {"eps": 0.1, "steps": 10}, 0.1) == "pgd[steps=10]"
    assert exporter.curve_label("noise", {"severity": 3}, None) is None


def test_a_sweep_is_exported_once_per_run_under_a_parent(tmp_path, host, tracking):
    outcome = run_sweep(Sweep(**SWEEP), host=host, store=tmp_path / "s.db")
    assert outcome.failed == [] and outcome.ran == 6  # 2 trainings + 2 x 2 evaluations
    client, exp = _client(tracking)
    runs = client.search_runs([exp])
    parents = [r for r in runs if r.data.tags.get("robustkit.sweep_id") == outcome.sweep_id]
    children = [r for r in runs if "robustkit.run_id" in r.data.tags]
    assert len(parents) == 1 and parents[0].info.status == "FINISHED"
    assert len(children) == 6  # one per cell: the cells' own pipeline hooks exported nothing
    assert len({r.data.tags["robustkit.run_id"] for r in children}) == 6
    assert {r.data.tags["mlflow.parentRunId"] for r in children} == {parents[0].info.run_id}
    curves = [k for k in parents[0].data.metrics if k.startswith("accuracy/")]
    assert curves, "the parent carries the sweep's curves"
    history = client.get_metric_history(parents[0].info.run_id, curves[0])
    assert sorted({m.step for m in history}) == [200, 500]


def test_a_resumed_sweep_sends_the_runs_mlflow_lacks(tmp_path, host, tracking, monkeypatch):
    monkeypatch.setenv("ROBUSTKIT_MLFLOW", "off")  # as if the driver died before exporting
    first = run_sweep(Sweep(**SWEEP), host=host, store=tmp_path / "s.db")
    monkeypatch.setenv("ROBUSTKIT_MLFLOW", "on")
    again = run_sweep(Sweep(**SWEEP), host=host, store=tmp_path / "s.db")
    assert again.ran == 0 and again.reused == 6 and again.sweep_id == first.sweep_id
    client, exp = _client(tracking)
    children = [r for r in client.search_runs([exp]) if "robustkit.run_id" in r.data.tags]
    assert len(children) == 6
    run_sweep(Sweep(**SWEEP), host=host, store=tmp_path / "s.db")  # and never twice
    assert len([r for r in client.search_runs([exp]) if "robustkit.run_id" in r.data.tags]) == 6
