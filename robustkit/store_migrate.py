"""Upgrading a results database in place, one schema version at a time, and the columns that
carry a metric row's perturbation facts.

Version 2 stores with every metric row the facts the report needs (threat, needs, norm,
iterative, unbounded, strength param) and with every run its data facts. A version-1 store is
upgraded when it is opened: the columns are added and the facts of its existing rows are
looked up once in the installed plugins (``unknown`` where a plugin is gone) and written, so
that from then on the report reads only the store.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from contextlib import AbstractContextManager
from typing import Any

from robustkit.facts import CLEAN, PerturbationFacts

FACT_COLUMNS = ("threat", "needs", "norm", "iterative", "unbounded", "strength_param")

Writer = Callable[[], AbstractContextManager[sqlite3.Connection]]


def fact_values(facts: PerturbationFacts | None) -> tuple[Any, ...]:
    """The fact columns of one row, in FACT_COLUMNS order (all NULL when not known)."""
    if facts is None:
        return (None,) * len(FACT_COLUMNS)
    iterative = None if facts.iterative is None else int(bool(facts.iterative))
    return (facts.threat, facts.needs, facts.norm, iterative, int(facts.unbounded),
            facts.strength_param)


def facts_from_row(row: sqlite3.Row) -> PerturbationFacts | None:
    """The facts stored with a metric row; None for a row written without them."""
    keys = row.keys()
    if "threat" not in keys or row["threat"] is None:
        return CLEAN if row["label"] == "clean" else None
    iterative = row["iterative"]
    return PerturbationFacts(
        threat=row["threat"], needs=row["needs"] or "unknown", norm=row["norm"],
        iterative=None if iterative is None else bool(iterative),
        unbounded=bool(row["unbounded"]), strength_param=row["strength_param"])


def _to_v2(conn: sqlite3.Connection, write: Writer) -> None:
    from robustkit.facts import facts_from_registry

    # the registry is read before the write lock is taken: loading plugins may take a while
    pairs = conn.execute("SELECT DISTINCT perturbation, params FROM metrics").fetchall()
    facts = {(name, params): facts_from_registry(name, json.loads(params))
             for name, params in pairs}
    with write() as w:
        version = w.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()[0]
        if int(version) >= 2:  # another process upgraded it meanwhile
            return
        have = {r[1] for r in w.execute("PRAGMA table_info(metrics)")}
        for col, sql_type in zip(FACT_COLUMNS, ("TEXT", "TEXT", "TEXT", "INTEGER", "INTEGER",
                                                "TEXT"), strict=True):
            if col not in have:
                w.execute(f"ALTER TABLE metrics ADD COLUMN {col} {sql_type}")
        if "data_info" not in {r[1] for r in w.execute("PRAGMA table_info(runs)")}:
            w.execute("ALTER TABLE runs ADD COLUMN data_info TEXT")
        sets = ", ".join(f"{c}=?" for c in FACT_COLUMNS)
        w.executemany(f"UPDATE metrics SET {sets} WHERE perturbation=? AND params=?",
                      [(*fact_values(f), name, params) for (name, params), f in facts.items()])
        w.execute("UPDATE meta SET value='2' WHERE key='schema_version'")


# version reached -> the step that reaches it from the version before
STEPS: dict[int, Callable[[sqlite3.Connection, Writer], None]] = {2: _to_v2}


def migrate(conn: sqlite3.Connection, write: Writer, target: int) -> None:
    """Upgrade the open database to ``target``, step by step; each step is one transaction."""
    while True:
        version = int(conn.execute(
            "SELECT value FROM meta WHERE key='schema_version'").fetchone()[0])
        if version >= target:
            return
        STEPS[version + 1](conn, write)
