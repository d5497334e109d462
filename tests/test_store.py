"""The SQLite store: concurrent writers lose nothing; foreign files are refused untouched."""

import multiprocessing as mp
import sqlite3

import pytest

from robustkit import StoreError
from robustkit.store import MetricRow, Store


def _writer(path: str, worker: int, runs: int) -> None:
    with Store(path) as db:
        for i in range(runs):
            run_id = db.start_run(config={"w": worker, "i": i}, seed=i, kernel_version="t",
                                  plugins={}, run_id=f"w{worker}-{i}")
            db.add_metrics(run_id, [MetricRow("clean", "clean", {}, None, f"m{j}", float(j))
                                    for j in range(5)])
            db.finish_run(run_id, status="done", timings={"x": 0.1})


def test_two_processes_writing_at_once_lose_nothing(tmp_path):
    path = str(tmp_path / "r.db")
    Store(path).close()
    ctx = mp.get_context("spawn")
    procs = [ctx.Process(target=_writer, args=(path, w, 40)) for w in range(2)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
        assert p.exitcode == 0
    with Store(path) as db:
        runs = db.runs()
        assert len(runs) == 80 and all(r["status"] == "done" for r in runs)
        assert all(len(db.metrics(r["id"])) == 5 for r in runs)
    mode = sqlite3.connect(path).execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"


def test_a_file_that_is_not_sqlite_is_refused_and_left_untouched(tmp_path):
    path = tmp_path / "notes.db"
    path.write_bytes(b"my precious notes\n" * 10)
    before = path.read_bytes()
    with pytest.raises(StoreError, match="notes.db is not a robustkit results database"):
        Store(path)
    assert path.read_bytes() == before


def test_another_applications_sqlite_db_is_refused_and_left_untouched(tmp_path):
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE invoices (id INTEGER, total REAL)")
    conn.execute("INSERT INTO invoices VALUES (1, 9.5)")
    conn.commit()
    conn.close()
    before = path.read_bytes()
    with pytest.raises(StoreError, match="another application.*invoices"):
        Store(path)
    assert path.read_bytes() == before


def test_unknown_run_id_is_a_clear_error(tmp_path):
    with Store(tmp_path / "r.db") as db, pytest.raises(StoreError, match="robustkit runs"):
        db.run("nope")


def test_run_ids_can_be_abbreviated(tmp_path):
    with Store(tmp_path / "r.db") as db:
        rid = db.start_run(config={}, seed=0, kernel_version="t", plugins={}, run_id="abc123")
        assert db.run("abc")["id"] == rid
