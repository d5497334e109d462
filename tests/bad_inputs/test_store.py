"""Bad store paths: robustkit never writes into a database it did not create, and says what
is wrong with the path (not 'not a robustkit database' for a read-only file)."""

from __future__ import annotations

import sqlite3
import subprocess

import pytest
from catalogue import cli, snapshot, write_config


def test_sqlite_file_with_no_tables_is_refused(host, tmp_path):
    path = tmp_path / "empty.db"
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version = 7")  # writes the header: a real, empty database
    conn.close()
    content = path.read_bytes()
    result = cli("run", write_config(tmp_path / "p.toml"), "--store", path)
    assert result.exit_code == 2
    assert "is an SQLite database without robustkit's tables" in result.output
    assert "left it untouched" in result.output
    assert path.read_bytes() == content


def test_sqlite_file_of_another_application_is_refused(host, tmp_path):
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE invoices (id INTEGER)")
    conn.commit()
    conn.close()
    before = snapshot(path)
    result = cli("runs", "--store", path)
    assert result.exit_code == 2
    assert "is an SQLite database of another application (tables: invoices)" in result.output
    assert snapshot(path) == before


def test_store_path_under_a_regular_file(host, tmp_path):
    blocker = tmp_path / "results"
    blocker.write_text("a file where a folder should be")
    result = cli("run", write_config(tmp_path / "p.toml"), "--store", blocker / "r.db")
    assert result.exit_code == 2
    assert f"cannot create the folder of the store {blocker / 'r.db'}" in result.output
    assert blocker.read_text() == "a file where a folder should be"


def test_read_only_store_is_called_read_only(host, store, tmp_path):
    """chattr +i makes the file immutable even for root (tests run as root here)."""
    before = snapshot(store)
    if subprocess.run(["chattr", "+i", str(store)], capture_output=True).returncode != 0:
        pytest.skip("chattr +i is not available here")
    try:
        result = cli("run", write_config(tmp_path / "p.toml"), "--store", store)
    finally:
        subprocess.run(["chattr", "-i", str(store)], check=True)
    assert result.exit_code == 2
    assert f"cannot write the results store {store}" in result.output
    assert "read-only" in result.output
    assert "not a robustkit results database" not in result.output
    assert snapshot(store) == before
