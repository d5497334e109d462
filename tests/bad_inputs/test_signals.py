"""Runs stopped from outside: SIGTERM, SIGINT and SIGKILL never leave a run 'running' forever,
and pool workers do not outlive a killed parent."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest
from catalogue import cli, cli_process, only_new_run, snapshot, write_config

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")


def wait_for(path: Path, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        assert time.monotonic() < deadline, f"{path} never appeared"
        time.sleep(0.1)


def start_sleeping_run(tmp_path: Path, store: Path) -> tuple[subprocess.Popen, Path]:
    """A CLI run that has stored its clean numbers and now sleeps inside a perturbation."""
    marker = tmp_path / "perturbing"
    config = write_config(tmp_path / "p.toml", 'perturbations = ["sleeper"]')
    proc = cli_process("run", config, "--store", store,
                       env={**os.environ, "ROBUSTKIT_TEST_MARKER": str(marker)})
    wait_for(marker)
    return proc, marker


@pytest.mark.parametrize(("sig", "code", "message"), [
    (signal.SIGTERM, 128 + signal.SIGTERM,
     "error: stopped by SIGTERM; the run is stored as interrupted"),
    (signal.SIGINT, 1, "Aborted!"),
])
def test_signal_marks_the_run_interrupted(host, store, tmp_path, sig, code, message):
    before = snapshot(store)
    proc, _ = start_sleeping_run(tmp_path, store)
    proc.send_signal(sig)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == code, err
    assert message in err and "Traceback" not in err
    run = only_new_run(before, store, "interrupted")
    assert run["error"].startswith("interrupted (")
    assert run["metrics"][("clean", "acc")] is not None  # measured before the signal: kept


def test_killed_run_is_marked_on_the_next_start(host, store, tmp_path):
    before = snapshot(store)
    proc, marker = start_sleeping_run(tmp_path, store)
    pid = int(marker.read_text())
    proc.kill()  # SIGKILL: nothing in the process can react
    proc.communicate(timeout=60)
    killed = only_new_run(before, store, "running")
    assert cli("run", write_config(tmp_path / "q.toml"), "--store", store).exit_code == 0
    from robustkit.store import Store

    with Store(store) as db:
        run = db.run(killed["id"])
    assert run["status"] == "interrupted"
    assert f"its process (pid {pid} on" in run["error"] and "SIGKILL" in run["error"]


def test_a_running_run_of_a_live_process_is_left_alone(host, store, tmp_path):
    from robustkit import lifecycle
    from robustkit.store import Store

    with Store(store) as db:
        run_id = db.start_run(config={}, seed=0, kernel_version="0", plugins={})
        lifecycle.claim(db, run_id)  # this very process: alive
        assert lifecycle.reap(db) == []
        assert db.run(run_id)["status"] == "running"


def test_pool_workers_die_with_their_parent(tmp_path):
    pids = tmp_path / "worker-pid"
    script = textwrap.dedent(f"""
        import time
        from pathlib import Path
        from robustkit.executors import ProcessPool, ProcessPoolParams

        def work(_):
            Path({str(pids)!r}).write_text(str(__import__("os").getpid()))
            time.sleep(300)

        if __name__ == "__main__":
            list(ProcessPool(ProcessPoolParams(workers=1)).map(work, [0]))
    """)
    (tmp_path / "parent.py").write_text(script)
    parent = subprocess.Popen([sys.executable, str(tmp_path / "parent.py")], cwd=tmp_path)
    wait_for(pids)
    worker = int(pids.read_text())
    parent.kill()
    parent.wait(timeout=30)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            os.kill(worker, 0)
        except ProcessLookupError:
            return
        # a zombie is gone too: reaped by init once its parent is dead
        if Path(f"/proc/{worker}/stat").exists() and \
                Path(f"/proc/{worker}/stat").read_text().rpartition(")")[2].split()[0] == "Z":
            return
        time.sleep(0.2)
    os.kill(worker, signal.SIGKILL)
    pytest.fail("the pool worker outlived its killed parent")
