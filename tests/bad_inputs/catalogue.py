"""Helpers of the bad-input catalogue: store snapshots, the CLI in-process, toy configs."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

from click.testing import CliRunner


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


def only_new_run(before: dict[str, list[str]] | None, path: Path, status: str
                 ) -> dict[str, Any]:
    """The one run added since ``before``, checked to have ``status``; every other row of the
    store must be as it was."""
    from robustkit.store import Store

    with Store(path) as db:
        known = {r for rows in (before or {}).values() for r in rows}
        added = [r for r in db.runs() if not any(r["id"] in k for k in known)]
        assert len(added) == 1, f"expected one new run, found {len(added)}"
        run = added[0]
        run["metrics"] = {(m.label, m.metric): m.value for m in db.metrics(run["id"])}
    assert run["status"] == status, run
    after = snapshot(path) or {}
    untouched = {t: [r for r in rows if run["id"] not in r] for t, rows in after.items()}
    assert {t: rows for t, rows in untouched.items() if t in (before or {})} == before
    return run


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


LAUNCHER = """
import sys
sys.path[:0] = {paths!r}
import bad_components, toy_plugin
from robustkit.plugins import register_plugin
register_plugin(toy_plugin)
register_plugin(bad_components)
from robustkit.cli import main
main(sys.argv[1:], prog_name="robustkit")
"""


def cli_process(*args: Any, **popen: Any) -> Any:
    """``robustkit ARGS`` in a fresh process (real stderr, real signals), with the toy and
    misbehaving plugins registered; returns the Popen."""
    import subprocess
    import sys

    here = Path(__file__).parent
    code = LAUNCHER.format(paths=[str(here), str(here.parent)])
    return subprocess.Popen([sys.executable, "-c", code, *map(str, args)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **popen)
