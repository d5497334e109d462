"""A real Ray cluster, started with `ray start --head` and joined by address; an unreachable
address fails fast; an interrupted Ray sweep leaves every finished run in the store and MLflow."""

from __future__ import annotations

import json
import os
import secrets
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from robustkit.store import Store

pytestmark = pytest.mark.slow

BIN = Path(sys.executable).parent
SWEEP = dict(name="ray-small", datasets=["digits"], models=["mlp"],
             perturbations=[{"name": "gaussian-noise", "severity": [1, 3, 5]}, "salt-and-pepper"],
             seeds=[0], training={"epochs": 3}, eval_samples=150)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_for_port(port: int, proc: subprocess.Popen, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"`ray start --head` exited with {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.5)
    raise TimeoutError(f"no Ray head on port {port} after {seconds} s")


@pytest.fixture(scope="module")
def ray_head():
    # Ray 2.60 authenticates clients with a token, by default ~/.ray/auth_token, which any other
    # Ray cluster started on this machine rewrites: this cluster and its clients share their own
    os.environ["RAY_AUTH_MODE"] = "token"
    os.environ["RAY_AUTH_TOKEN"] = secrets.token_hex(32)
    port = _free_port()
    # a short temp dir: Ray's unix sockets live under it and socket paths have a length limit
    temp = tempfile.mkdtemp(prefix="rk-ray-", dir="/tmp")
    log = open(Path(temp) / "head.log", "w")  # noqa: SIM115 - closed in teardown
    proc = subprocess.Popen(
        [str(BIN / "ray"), "start", "--head", "--block", f"--port={port}", "--num-cpus=2",
         "--include-dashboard=false", "--disable-usage-stats", f"--temp-dir={temp}"],
        stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        _wait_for_port(port, proc, 120)
        yield f"127.0.0.1:{port}"
    finally:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(60)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(proc.pid, signal.SIGKILL)
        log.close()
        os.environ.pop("RAY_AUTH_TOKEN", None)
        os.environ.pop("RAY_AUTH_MODE", None)


def _cli(*args: str, env: dict | None = None, **kw) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "robustkit.cli", *args], capture_output=True,
                          text=True, env={**os.environ, **(env or {})}, **kw)


def test_a_sweep_joins_the_cluster_by_address_and_matches_in_process(tmp_path, ray_head):
    config = tmp_path / "sweep.json"
    config.write_text(json.dumps(SWEEP))
    out = _cli("sweep", str(config), "--store", str(tmp_path / "ray.db"), "--address", ray_head,
               timeout=600)
    assert out.returncode == 0, out.stdout + out.stderr
    local = _cli("sweep", str(config), "--store", str(tmp_path / "local.db"), timeout=600)
    assert local.returncode == 0, local.stdout + local.stderr

    def values(path):
        with Store(path) as db:
            return sorted((r["label"], r["metric"], r["value"]) for run in db.runs()
                          for r in (row.as_dict() for row in db.metrics(run["id"])))

    assert values(tmp_path / "ray.db") == values(tmp_path / "local.db")


def test_an_unreachable_address_is_a_clear_error_within_the_timeout(tmp_path):
    config = tmp_path / "sweep.json"
    config.write_text(json.dumps({**SWEEP, "executor": {
        "name": "ray", "params": {"connect_timeout": 3}}}))
    address = f"127.0.0.1:{_free_port()}"
    started = time.monotonic()
    out = _cli("sweep", str(config), "--store", str(tmp_path / "r.db"), "--address", address,
               timeout=300)
    assert out.returncode != 0
    assert time.monotonic() - started < 120
    text = out.stdout + out.stderr
    assert f"no Ray cluster answered at '{address}'" in text and "Traceback" not in text


def test_an_interrupted_ray_sweep_leaves_every_finished_run_in_mlflow(tmp_path, ray_head):
    pytest.importorskip("mlflow")
    config = tmp_path / "sweep.json"
    # evaluation cells of a couple of seconds each (PGD-200 on 400 digits), so the interrupt
    # lands while most are still to run, however fast the machine
    config.write_text(json.dumps({
        **SWEEP, "eval_samples": 400,
        "perturbations": [{"name": "pgd", "steps": 200,
                           "eps": [0.02, 0.04, 0.06, 0.08, 0.1, 0.15, 0.2, 0.3]}],
        "seeds": [0, 1]}))
    store, uri = tmp_path / "r.db", f"sqlite:///{tmp_path}/ml/mlflow.db"
    env = {**os.environ, "ROBUSTKIT_MLFLOW": "on", "ROBUSTKIT_MLFLOW_URI": uri,
           "ROBUSTKIT_MLFLOW_EXPERIMENT": "ray"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "robustkit.cli", "sweep", str(config), "--store", str(store),
         "--address", ray_head], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        text=True)
    deadline = time.time() + 400
    done = 0
    while time.time() < deadline and proc.poll() is None and done < 3:  # trainings + one
        time.sleep(0.2)
        try:
            with sqlite3.connect(store, timeout=5) as conn:
                done = conn.execute("SELECT count(*) FROM cells WHERE status='done'").fetchone()[0]
        except sqlite3.Error:
            continue
    proc.send_signal(signal.SIGINT)  # Ctrl-C in the driver
    _, err = proc.communicate(timeout=300)
    with Store(store) as db:
        sweep_id = db.sweeps()[0]["id"]
        cells = db.cells(sweep_id)
        finished = {c["run_id"] for c in cells if c["status"] == "done"}
    assert finished, err
    assert len(finished) < len(cells), "the sweep should have been interrupted midway"

    from mlflow import MlflowClient

    client = MlflowClient(tracking_uri=uri)
    exp = client.get_experiment_by_name("ray").experiment_id
    runs = client.search_runs([exp], max_results=1000)
    exported = {r.data.tags.get("robustkit.run_id") for r in runs} - {None}
    assert finished <= exported, (finished - exported, err)
    parent = [r for r in runs if r.data.tags.get("robustkit.sweep_id") == sweep_id]
    assert len(parent) == 1 and parent[0].info.status == "KILLED"
