"""Sweeps over installed plugins: executors agree, a killed sweep resumes, the report renders."""

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time

import pytest

from robustkit.config import ComponentRef
from robustkit.report import build_report
from robustkit.store import Store
from robustkit.sweep import Sweep, expand, run_sweep

SMALL = dict(
    name="small", datasets=["digits"], models=["mlp"],
    perturbations=[{"name": "gaussian-noise", "severity": [1, 5]}, "salt-and-pepper"],
    seeds=[0, 1], training={"epochs": 3}, eval_samples=150,
)


def _values(store_path, sweep_id):
    with Store(store_path) as db:
        rep = build_report(db, sweep_id=sweep_id)
    return sorted((r.row, r.seed, r.label, r.metric, r.value) for r in rep.records)


def test_expansion_filters_incompatible_cells_and_explains():
    sweep = Sweep(datasets=["digits", "blobs"], models=["small-cnn", "mlp"],
                  perturbations=["gaussian-noise"], seeds=[0])
    exp = expand(sweep)
    trained = {(c.config["dataset"]["name"], c.config["model"]["name"])
               for c in exp.cells if c.phase == 0}
    assert trained == {("digits", "small-cnn"), ("digits", "mlp"), ("blobs", "mlp")}
    assert any("small-cnn" in what and "image inputs" in why for what, why in exp.skipped)


@pytest.mark.parametrize("executor", ["process-pool", "ray"])
def test_every_executor_gives_identical_results(tmp_path, executor):
    sweep = Sweep(**SMALL)
    base = run_sweep(sweep, store=tmp_path / "in.db")
    assert base.failed == [] and base.ran == 8  # 2 trainings + 2 x 3 evaluations
    other = run_sweep(sweep, store=tmp_path / f"{executor}.db",
                      executor=ComponentRef(name=executor, params={"workers": 2}))
    assert other.failed == [] and other.sweep_id == base.sweep_id
    assert _values(tmp_path / "in.db", base.sweep_id) == _values(
        tmp_path / f"{executor}.db", other.sweep_id)


def test_a_killed_sweep_resumes_without_recomputing_finished_cells(tmp_path):
    config = tmp_path / "sweep.json"
    config.write_text(json.dumps({**SMALL, "models": ["mlp", "small-cnn"],
                                  "training": {"epochs": 12}}))
    store = tmp_path / "r.db"
    cmd = [sys.executable, "-m", "robustkit.cli", "sweep", str(config), "--store", str(store)]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    done_before = {}
    deadline = time.time() + 300
    try:
        while time.time() < deadline and proc.poll() is None:
            time.sleep(0.5)
            if not store.exists():
                continue
            try:
                conn = sqlite3.connect(store, timeout=5)
                done_before = dict(conn.execute(
                    "SELECT cell_key, run_id FROM cells WHERE status='done'").fetchall())
                total = conn.execute("SELECT count(*) FROM cells").fetchone()[0]
                conn.close()
            except sqlite3.Error:
                continue
            if len(done_before) >= 3:
                break
    finally:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    assert 3 <= len(done_before) < total, "the sweep should be killed midway"

    out = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stdout + out.stderr
    assert f"{len(done_before)} already done" in out.stdout
    with Store(store) as db:
        sweep_id = db.sweeps()[0]["id"]
        cells = {c["cell_key"]: c for c in db.cells(sweep_id)}
        assert all(c["status"] == "done" for c in cells.values())
        for key, run_id in done_before.items():  # finished cells kept their runs
            assert cells[key]["run_id"] == run_id
        done_runs = [r for r in db.runs() if r["status"] == "done"]
        assert len(done_runs) == len(cells)  # nothing finished twice


def test_report_card_renders_matrix_curves_and_exports(tmp_path):
    sweep = Sweep(**SMALL)
    outcome = run_sweep(sweep, store=tmp_path / "r.db")
    with Store(tmp_path / "r.db") as db:
        rep = build_report(db, sweep_id=outcome.sweep_id)
    paths = rep.write(tmp_path / "report")
    html = paths["html"].read_text()
    assert "<table" in html and "data:image/png;base64," in html
    assert "http://" not in html and "https://" not in html  # self-contained
    assert rep.columns()[0] == "clean"
    assert {"gaussian-noise[severity=1]", "gaussian-noise[severity=5]"} <= set(rep.columns())
    mean, std, n = rep.cell(("digits", "mlp", "none", "none"), "clean")
    assert n == 2 and 0.8 < mean <= 1.0 and std >= 0
    assert f"{mean:.3f}" in html and f"{mean:.3f}" in paths["markdown"].read_text()
    data = json.loads(paths["json"].read_text())
    assert data["matrix"][0]["clean"]["mean"] == pytest.approx(mean)
    assert len(paths["csv"].read_text().splitlines()) == len(rep.records) + 1
    assert any(name.endswith("gaussian-noise.png") for name in rep.figures)
