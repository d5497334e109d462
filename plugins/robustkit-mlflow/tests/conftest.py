"""Fixtures of the exporter's tests: a host with only the toy plugin and the exporter, and a
temporary MLflow tracking store with export switched on."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))


@pytest.fixture
def host():
    import mlflow_toy
    from robustkit_mlflow import plugin

    from robustkit.plugins import PluginHost

    return PluginHost(load_entry_points=False, extra=[mlflow_toy, plugin])


@pytest.fixture
def tracking(tmp_path, monkeypatch):
    uri = f"sqlite:///{tmp_path}/ml/mlflow.db"
    monkeypatch.setenv("ROBUSTKIT_MLFLOW", "on")
    monkeypatch.setenv("ROBUSTKIT_MLFLOW_URI", uri)
    monkeypatch.setenv("ROBUSTKIT_MLFLOW_EXPERIMENT", "tests")
    return uri
