"""The SQLite results store: runs, their config and versions, and every metric value.

WAL journaling plus a busy timeout let several processes write one database at once; each
write is its own short transaction, so a crash loses at most the evaluation in flight.
A file that is not a robustkit database is refused and left untouched.
"""

from __future__ import annotations

import json
import sqlite3
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from robustkit.errors import StoreError

APP_ID = "robustkit"
SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS runs (
    id TEXT PRIMARY KEY,
    name TEXT,
    created REAL NOT NULL,
    finished REAL,
    status TEXT NOT NULL,           -- running | done | failed
    seed INTEGER NOT NULL,
    config TEXT NOT NULL,           -- the full pipeline config as JSON
    fingerprint TEXT,               -- hash of the trained model's inputs (cache key)
    kernel_version TEXT NOT NULL,
    plugins TEXT NOT NULL,          -- JSON: plugin -> {distribution, version}
    timings TEXT,                   -- JSON: stage -> seconds
    error TEXT
);
CREATE TABLE IF NOT EXISTS metrics (
    run_id TEXT NOT NULL REFERENCES runs(id),
    label TEXT NOT NULL,            -- 'clean' or e.g. 'gaussian-noise[severity=2]'
    perturbation TEXT NOT NULL,     -- component name, 'clean' for none
    params TEXT NOT NULL,           -- JSON of the perturbation params
    strength REAL,                  -- value of the perturbation's strength param, if any
    metric TEXT NOT NULL,
    value REAL,
    PRIMARY KEY (run_id, label, metric)
);
CREATE INDEX IF NOT EXISTS metrics_run ON metrics(run_id);
CREATE TABLE IF NOT EXISTS flags (
    run_id TEXT NOT NULL REFERENCES runs(id),
    label TEXT NOT NULL,            -- the perturbation setting whose number is doubted
    check_name TEXT NOT NULL,       -- e.g. 'zero-gradients'
    message TEXT NOT NULL,
    PRIMARY KEY (run_id, label, check_name)
);
CREATE TABLE IF NOT EXISTS examples (
    run_id TEXT NOT NULL REFERENCES runs(id),
    label TEXT NOT NULL,            -- the evaluation the images come from
    data BLOB NOT NULL,             -- numpy .npz: input, output, target (k x C x H x W)
    PRIMARY KEY (run_id, label)
);
CREATE TABLE IF NOT EXISTS sweeps (
    id TEXT PRIMARY KEY,            -- name + hash of the expanded sweep: rerunning resumes
    name TEXT,
    created REAL NOT NULL,
    config TEXT NOT NULL,
    status TEXT NOT NULL            -- running | done
);
CREATE TABLE IF NOT EXISTS cells (
    sweep_id TEXT NOT NULL REFERENCES sweeps(id),
    cell_key TEXT NOT NULL,         -- hash of the cell's pipeline config
    phase INTEGER NOT NULL,         -- 0: trains (and evaluates clean), 1: evaluates
    config TEXT NOT NULL,
    status TEXT NOT NULL,           -- pending | done | failed | skipped
    run_id TEXT,
    error TEXT,
    PRIMARY KEY (sweep_id, cell_key)
);
"""


@dataclass
class MetricRow:
    """One stored number: a metric of one run under one perturbation setting."""

    label: str
    perturbation: str
    params: dict[str, Any]
    strength: float | None
    metric: str
    value: float | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "perturbation": self.perturbation,
            "params": self.params,
            "strength": self.strength,
            "metric": self.metric,
            "value": self.value,
        }


def _like_prefix(text: str) -> str:
    """A LIKE pattern for ids starting with ``text``: ``%`` and ``_`` in it are literal."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _unwritable(exc: sqlite3.DatabaseError) -> bool:
    text = str(exc).lower()
    return "readonly" in text or "read-only" in text or "unable to open" in text


def new_run_id() -> str:
    return time.strftime("%Y%m%d-%H%M%S") + "-" + uuid.uuid4().hex[:6]


class Store:
    """A results database. Open with ``Store(path)``; tables are created on first use."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self._check_existing_file()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:  # e.g. a part of the path is a regular file
            raise StoreError(f"cannot create the folder of the store {self.path}: "
                             f"{exc.strerror or exc}; point --store / store= elsewhere") from None
        try:
            self._conn = sqlite3.connect(self.path, timeout=60.0, isolation_level=None)
            self._conn.execute("PRAGMA busy_timeout = 60000")
            self._conn.execute("PRAGMA journal_mode = WAL")
            # NORMAL is the recommended pairing with WAL: never corrupts, skips an fsync per
            # commit (a power cut may lose the last commit, a crashed process loses nothing)
            self._conn.execute("PRAGMA synchronous = NORMAL")
            self._conn.execute("PRAGMA foreign_keys = ON")
            self._init_schema()
        except sqlite3.DatabaseError as exc:
            if _unwritable(exc):
                raise StoreError(f"cannot write the results store {self.path} ({exc}): the "
                                 "file or its folder is read-only; make both writable or point "
                                 "--store / store= elsewhere") from None
            raise StoreError(
                f"{self.path} is not a robustkit results database ({exc}); it was left "
                "untouched. Point --store / store= at another file."
            ) from None

    def _check_existing_file(self) -> None:
        if not self.path.exists():
            return
        if self.path.is_dir():
            raise StoreError(f"{self.path} is a directory; the store must be a file path")
        size = self.path.stat().st_size
        if size == 0:
            return
        with open(self.path, "rb") as fh:
            header = fh.read(16)
        if header != b"SQLite format 3\x00":
            raise StoreError(
                f"{self.path} is not a robustkit results database (not an SQLite file); it was "
                "left untouched. Point --store / store= at another file."
            )
        for _ in range(20):  # another process may be creating this store right now
            tables, app = self._read_app()
            if app == APP_ID:
                return
            if tables:
                break
            time.sleep(0.1)
        if not tables:
            raise StoreError(
                f"{self.path} is an SQLite database without robustkit's tables; robustkit does "
                "not write into another database, and left it untouched. Point --store / "
                "store= at a new file (or delete this one if robustkit was killed creating it)."
            )
        if app != APP_ID:
            raise StoreError(
                f"{self.path} is an SQLite database of another application (tables: "
                f"{', '.join(sorted(tables)[:5])}); it was left untouched. Point --store / "
                "store= at another file."
            )

    def _read_app(self) -> tuple[set[str], str | None]:
        """The tables of the existing file, and the application its meta table names."""
        try:
            conn = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, timeout=60.0)
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"cannot open {self.path} ({exc})") from None
        try:
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
            app = None
            if "meta" in tables:
                row = conn.execute("SELECT value FROM meta WHERE key='app'").fetchone()
                app = row[0] if row else None
        except sqlite3.DatabaseError as exc:
            raise StoreError(f"{self.path} is not a readable SQLite database ({exc})") from None
        finally:
            conn.close()
        return tables, app

    def _init_schema(self) -> None:
        with self._write() as conn:
            for stmt in _SCHEMA.split(";"):
                if stmt.strip():
                    conn.execute(stmt)
            conn.execute("INSERT OR IGNORE INTO meta VALUES ('app', ?)", (APP_ID,))
            conn.execute(
                "INSERT OR IGNORE INTO meta VALUES ('schema_version', ?)", (str(SCHEMA_VERSION),)
            )
        row = self._conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()
        if int(row[0]) > SCHEMA_VERSION:
            raise StoreError(
                f"{self.path} was written by a newer robustkit (schema {row[0]}); upgrade robustkit"
            )

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        # BEGIN IMMEDIATE takes the write lock up front, so concurrent writers queue on the
        # busy timeout instead of failing midway with "database is locked".
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            yield self._conn
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise
        else:
            self._conn.execute("COMMIT")

    # -- writing -------------------------------------------------------------------------
    def start_run(
        self,
        *,
        config: dict[str, Any],
        seed: int,
        kernel_version: str,
        plugins: dict[str, Any],
        name: str | None = None,
        run_id: str | None = None,
    ) -> str:
        run_id = run_id or new_run_id()
        with self._write() as conn:
            conn.execute(
                "INSERT INTO runs (id, name, created, status, seed, config, kernel_version, "
                "plugins) VALUES (?, ?, ?, 'running', ?, ?, ?, ?)",
                (run_id, name, time.time(), seed, json.dumps(config, sort_keys=True),
                 kernel_version, json.dumps(plugins, sort_keys=True)),
            )
        return run_id

    def add_metrics(self, run_id: str, rows: Sequence[MetricRow]) -> None:
        with self._write() as conn:
            conn.executemany(
                "INSERT OR REPLACE INTO metrics VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    (run_id, r.label, r.perturbation, json.dumps(r.params, sort_keys=True),
                     r.strength, r.metric, r.value)
                    for r in rows
                ],
            )

    def add_flags(self, run_id: str, flags: Sequence[Any]) -> None:
        with self._write() as conn:
            conn.executemany(
                "INSERT OR REPLACE INTO flags VALUES (?, ?, ?, ?)",
                [(run_id, f.label, f.check, f.message) for f in flags],
            )

    def flags(self, run_id: str) -> list[dict[str, str]]:
        return [
            {"label": r["label"], "check": r["check_name"], "message": r["message"]}
            for r in self._query("SELECT * FROM flags WHERE run_id = ? ORDER BY rowid",
                                 (run_id,))
        ]

    def add_examples(self, run_id: str, label: str, arrays: dict[str, Any]) -> None:
        """Keep a few example images of one evaluation (numpy arrays by role, e.g. input,
        output, target) so that reports can show them."""
        import io

        import numpy as np

        buf = io.BytesIO()
        np.savez_compressed(buf, **{k: np.asarray(v, dtype=np.float32) for k, v in
                                    arrays.items()})
        with self._write() as conn:
            conn.execute("INSERT OR REPLACE INTO examples VALUES (?, ?, ?)",
                         (run_id, label, buf.getvalue()))

    def examples(self, run_id: str) -> dict[str, dict[str, Any]]:
        """The example images of a run: label -> role -> array (empty if none were kept)."""
        import io

        import numpy as np

        out = {}
        for r in self._query("SELECT * FROM examples WHERE run_id = ? ORDER BY rowid",
                             (run_id,)):
            with np.load(io.BytesIO(r["data"])) as npz:
                out[r["label"]] = {k: npz[k] for k in npz.files}
        return out

    # -- sweeps ----------------------------------------------------------------------------
    def ensure_sweep(self, sweep_id: str, name: str | None, config: dict[str, Any],
                     cells: Sequence[tuple[str, int, dict[str, Any]]]) -> None:
        """Create the sweep and its pending cells; existing cells keep their status."""
        with self._write() as conn:
            conn.execute(
                "INSERT OR IGNORE INTO sweeps VALUES (?, ?, ?, ?, 'running')",
                (sweep_id, name, time.time(), json.dumps(config, sort_keys=True)),
            )
            conn.executemany(
                "INSERT OR IGNORE INTO cells (sweep_id, cell_key, phase, config, status) "
                "VALUES (?, ?, ?, ?, 'pending')",
                [(sweep_id, key, phase, json.dumps(cfg, sort_keys=True))
                 for key, phase, cfg in cells],
            )

    def cells(self, sweep_id: str) -> list[dict[str, Any]]:
        rows = self._query("SELECT * FROM cells WHERE sweep_id = ? ORDER BY phase, rowid",
                           (sweep_id,))
        return [{**dict(r), "config": json.loads(r["config"])} for r in rows]

    def finish_cell(self, sweep_id: str, cell_key: str, *, status: str,
                    run_id: str | None = None, error: str | None = None) -> None:
        with self._write() as conn:
            conn.execute(
                "UPDATE cells SET status=?, run_id=?, error=? WHERE sweep_id=? AND cell_key=?",
                (status, run_id, error, sweep_id, cell_key),
            )

    def finish_sweep(self, sweep_id: str, status: str = "done") -> None:
        with self._write() as conn:
            conn.execute("UPDATE sweeps SET status=? WHERE id=?", (status, sweep_id))

    def sweeps(self) -> list[dict[str, Any]]:
        rows = self._query("SELECT * FROM sweeps ORDER BY created DESC")
        return [{**dict(r), "config": json.loads(r["config"])} for r in rows]

    def sweep(self, sweep_id: str) -> dict[str, Any]:
        rows = self._query("SELECT * FROM sweeps WHERE id = ? OR id LIKE ? ESCAPE '\\'",
                           (sweep_id, _like_prefix(sweep_id)))
        if len(rows) != 1:
            raise StoreError(f"{'no' if not rows else 'more than one'} sweep matches "
                             f"{sweep_id!r} in {self.path}; `robustkit sweeps` lists them")
        return {**dict(rows[0]), "config": json.loads(rows[0]["config"])}

    def finish_run(
        self,
        run_id: str,
        *,
        status: str,
        timings: dict[str, float] | None = None,
        fingerprint: str | None = None,
        error: str | None = None,
    ) -> None:
        with self._write() as conn:
            conn.execute(
                "UPDATE runs SET status=?, finished=?, timings=?, fingerprint=?, error=? "
                "WHERE id=?",
                (status, time.time(), json.dumps(timings or {}), fingerprint, error, run_id),
            )

    # -- reading -------------------------------------------------------------------------
    def runs(self, limit: int | None = None) -> list[dict[str, Any]]:
        sql = "SELECT * FROM runs ORDER BY created DESC"
        if limit:
            sql += f" LIMIT {int(limit)}"
        return [self._run_dict(r) for r in self._query(sql)]

    def run(self, run_id: str) -> dict[str, Any]:
        rows = self._query("SELECT * FROM runs WHERE id = ?", (run_id,))
        if not rows:
            rows = self._query("SELECT * FROM runs WHERE id LIKE ? ESCAPE '\\'",
                               (_like_prefix(run_id),))
            if len(rows) > 1:
                raise StoreError(f"run id prefix {run_id!r} matches {len(rows)} runs; give more")
        if not rows:
            raise StoreError(f"no run {run_id!r} in {self.path}; `robustkit runs` lists them")
        return self._run_dict(rows[0])

    def metrics(self, run_id: str) -> list[MetricRow]:
        return [
            MetricRow(r["label"], r["perturbation"], json.loads(r["params"]), r["strength"],
                      r["metric"], r["value"])
            for r in self._query(
                "SELECT * FROM metrics WHERE run_id = ? ORDER BY rowid", (run_id,)
            )
        ]

    def _query(self, sql: str, args: Sequence[Any] = ()) -> list[sqlite3.Row]:
        self._conn.row_factory = sqlite3.Row
        try:
            return list(self._conn.execute(sql, args))
        finally:
            self._conn.row_factory = None

    @staticmethod
    def _run_dict(row: sqlite3.Row) -> dict[str, Any]:
        d = dict(row)
        for key in ("config", "plugins", "timings"):
            if d.get(key):
                d[key] = json.loads(d[key])
        return d

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
