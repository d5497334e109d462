"""Shared fixtures of the bad-input catalogue: the CLI on a real SQLite store and real files.

Every case asserts the exit code, the message, and what the store holds afterwards: unchanged
for input refused up front, exactly one failed (or interrupted) run with every number already
measured for a failure during a run.
"""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

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
    from robustkit.store import MetricRow, Store

    path = tmp_path / "results.db"
    with Store(path) as db:
        run = db.start_run(config={"dataset": {"name": "toy"}}, seed=0, kernel_version="0",
                           plugins={})
        db.add_metrics(run, [MetricRow("clean", "clean", {}, None, "acc", 0.9)])
        db.finish_run(run, status="done")
    return path


def snapshot(path: Path) -> dict[str, list[tuple[Any, ...]]] | None:
    """Every row of every table, or None when there is no file."""
    if not path.exists():
        return None
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
        return {t: sorted(map(repr, conn.execute(f'SELECT * FROM "{t}"'))) for t in tables}
    finally:
        conn.close()


def new_runs(before: dict | None, path: Path) -> list[dict[str, Any]]:
    """The runs added since ``before``, as the store reads them back."""
    from robustkit.store import Store

    with Store(path) as db:
        runs = db.runs()
        known = set((before or {}).get("runs", []))
        return [r for r in runs if not any(repr_has(k, r["id"]) for k in known)]


def repr_has(row_repr: str, run_id: str) -> bool:
    return row_repr.startswith(f"('{run_id}'")


def cli(*args: Any) -> Any:
    """``robustkit ARGS`` in this process; stderr and stdout both kept."""
    from robustkit.cli import main

    return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)


def write_config(path: Path, text: str = "", **top: Any) -> Path:
    """A TOML pipeline config over the toy data set and model (2 epochs: seconds)."""
    lines = ['dataset = "toy"', 'model = "linear"', 'metrics = ["acc"]']
    lines += [f"{k} = {v}" for k, v in top.items()]
    path.write_text("\n".join(lines) + "\n" + text +
                    "\n[training]\nepochs = 2\nbatch_size = 32\nlr = 0.05\n")
    return path
