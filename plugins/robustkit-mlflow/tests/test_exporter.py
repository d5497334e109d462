"""Each pipeline run becomes one MLflow run: params, a metric per perturbation setting, the
report card as an artifact; a broken tracking store only logs a warning."""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import pytest
from robustkit_mlflow import exporter

from robustkit import Pipeline


def _pipeline(tmp_path, **kw):
    base = dict(dataset="toy", model="linear", metrics=["accuracy"],
                perturbations=[{"name": "shift", "amount": [0.2, 0.5]}],
                training={"epochs": 3, "batch_size": 32, "lr": 0.1},
                store=tmp_path / "r.db", cache=False)
    base.update(kw)
    return Pipeline(**base)


@pytest.mark.slow
def test_a_run_is_exported_with_params_metrics_and_report(tmp_path, host, tracking):
    from mlflow import MlflowClient

    result = _pipeline(tmp_path).run(host=host)
    assert exporter.flush(120)
    client = MlflowClient(tracking_uri=tracking)
    exp = client.get_experiment_by_name("tests")
    (run,) = client.search_runs([exp.experiment_id],
                                filter_string=f"tags.`robustkit.run_id` = '{result.run_id}'")
    assert run.info.status == "FINISHED"
    assert run.data.params["dataset.name"] == "toy"
    assert run.data.params["training.epochs"] == "3"
    for label in ("clean", "shift[amount=0.2]", "shift[amount=0.5]"):
        key = exporter.metric_key("accuracy", label)
        assert run.data.metrics[key] == pytest.approx(result.value("accuracy", label))
    assert "seconds/train" in run.data.metrics
    names = {a.path for a in client.list_artifacts(run.info.run_id)}
    assert {"report.md", "report.html", "metrics.json"} <= names
    local = client.download_artifacts(run.info.run_id, "report.md", str(tmp_path))
    assert "shift[amount=0.5]" in Path(local).read_text()


@pytest.mark.slow
def test_a_failed_pipeline_is_exported_as_failed_at_exit(tmp_path, host, tracking):
    from mlflow import MlflowClient

    with pytest.raises(Exception, match="boom"):
        _pipeline(tmp_path, perturbations=["broken"]).run(host=host)
    exporter.EXPORTER._at_exit()  # what the interpreter does at exit
    client = MlflowClient(tracking_uri=tracking)
    exp = client.get_experiment_by_name("tests")
    runs = client.search_runs([exp.experiment_id])
    assert [r.info.status for r in runs] == ["FAILED"]
    assert runs[0].data.metrics[exporter.metric_key("accuracy", "clean")] > 0


def test_an_unreachable_store_only_warns(tmp_path, host, monkeypatch, caplog):
    monkeypatch.setenv("ROBUSTKIT_MLFLOW", "on")
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the database folder should be")
    monkeypatch.setenv("ROBUSTKIT_MLFLOW_URI", f"sqlite:///{blocker}/sub/mlflow.db")
    with caplog.at_level(logging.WARNING, logger="robustkit_mlflow"):
        result = _pipeline(tmp_path).run(host=host)
        assert exporter.flush(60)
    assert result.value("accuracy") is not None  # the run itself is untouched
    assert "could not export run" in caplog.text


def test_switched_off_exports_nothing(tmp_path, host, monkeypatch):
    monkeypatch.setenv("ROBUSTKIT_MLFLOW", "off")
    monkeypatch.setenv("ROBUSTKIT_MLFLOW_URI", f"sqlite:///{tmp_path}/off/mlflow.db")
    before = len(exporter.EXPORTER.exported)
    _pipeline(tmp_path).run(host=host)
    assert exporter.flush(30)
    assert len(exporter.EXPORTER.exported) == before and not (tmp_path / "off").exists()


def test_metric_keys_are_valid_mlflow_names():
    assert exporter.metric_key("accuracy", "pgd[eps=0.1,steps=10]") == \
        "accuracy/pgd_eps_0.1_steps_10_"


def test_hooks_import_neither_mlflow_nor_torch():
    import subprocess

    code = ("import sys; import robustkit_mlflow.plugin; "
            "print(','.join(m for m in ('mlflow', 'torch') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == ""
