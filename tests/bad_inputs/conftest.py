"""Shared fixtures of the bad-input catalogue: the CLI on a real SQLite store and real files.

Every case asserts the exit code, the message, and what the store holds afterwards: unchanged
for input refused up front, exactly one failed (or interrupted) run with every number already
measured for a failure during a run.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

HERE = Path(__file__).parent
sys.path[:0] = [str(HERE), str(HERE.parent)]  # bad_components, toy_plugin


@pytest.fixture
def host(monkeypatch):
    """The installed plugins plus the toy plugin and the misbehaving components, as the
    process-wide host the CLI uses."""
    import bad_components
    import toy_plugin

    from robustkit import plugins

    h = plugins.PluginHost(extra=[toy_plugin, bad_components])
    monkeypatch.setattr(plugins, "_host", h)
    return h


@pytest.fixture
def store(tmp_path) -> Path:
    """A real robustkit store holding one finished run, so that 'unchanged' means something."""
    from robustkit import Pipeline
    from robustkit.store import MetricRow, Store

    path = tmp_path / "results.db"
    config = Pipeline(dataset="toy", model="linear", metrics=["acc"]).to_dict()
    with Store(path) as db:
        run = db.start_run(config=config, seed=0, kernel_version="0", plugins={})
        db.add_metrics(run, [MetricRow("clean", "clean", {}, None, "acc", 0.9)])
        db.finish_run(run, status="done")
    return path
