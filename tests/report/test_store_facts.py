"""The report reads only the store: facts are stored with each metric row, a version-1 store
(written by the code of main before this change: fixtures/results-v1.db, see
fixtures/make_v1_store.py) is upgraded in place, and uninstalling a plugin afterwards does not
change the report."""

import shutil
import sqlite3
from pathlib import Path

import pytest

from robustkit.report import build_report
from robustkit.store import SCHEMA_VERSION, Store

V1 = Path(__file__).parent / "fixtures" / "results-v1.db"


def _raw(path, sql):
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def _no_plugins(monkeypatch):
    """As if every plugin had been uninstalled: the registry knows no component."""
    from robustkit import plugins
    from robustkit.registry import Registry

    monkeypatch.setattr(plugins, "get_registry", lambda *a, **k: Registry())


def _summary(rep):
    return (rep.columns(), [(g.check, g.row, g.labels) for g in rep.flag_groups],
            [tm.key for tm in rep.threat_models], rep.matrix())


def test_a_version_1_store_is_upgraded_in_place_with_the_facts_of_its_rows(tmp_path):
    path = tmp_path / "results.db"
    shutil.copy(V1, path)
    assert _raw(path, "SELECT value FROM meta WHERE key='schema_version'") == [("1",)]
    before = _raw(path, "SELECT run_id, label, perturbation, params, strength, metric, value "
                        "FROM metrics ORDER BY rowid")
    assert len(before) >= 6
    with Store(path) as db:
        run_id = db.runs()[0]["id"]
        facts = {m.label: m.facts for m in db.metrics(run_id)}
    assert _raw(path, "SELECT value FROM meta WHERE key='schema_version'") == [
        (str(SCHEMA_VERSION),)]
    after = _raw(path, "SELECT run_id, label, perturbation, params, strength, metric, value "
                       "FROM metrics ORDER BY rowid")
    assert after == before  # nothing lost or changed, only facts added
    assert facts["clean"].threat == "clean"
    pgd = facts["pgd[eps=0.1,steps=5]"]
    assert (pgd.threat, pgd.norm, pgd.iterative, pgd.strength_param) == (
        "white-box", "linf", True, "eps")
    assert facts["fgsm[eps=0.05]"].iterative is False
    assert facts["gaussian-noise[severity=2]"].threat == "noise"
    # the upgraded store opens again without another migration and still reads the same
    with Store(path) as db:
        assert db.metrics(run_id)[1].facts == list(facts.values())[1]


def test_uninstalling_a_plugin_does_not_change_an_old_report(tmp_path, monkeypatch):
    path = tmp_path / "results.db"
    shutil.copy(V1, path)
    with Store(path) as db:
        installed = _summary(build_report(db))
    _no_plugins(monkeypatch)
    with Store(path) as db:
        uninstalled = _summary(build_report(db))
    assert uninstalled == installed
    assert "worst linf ε=0.1" in installed[2]  # the facts made it a threat model at all


def test_a_store_upgraded_without_the_plugin_says_unknown_rather_than_guess(tmp_path,
                                                                            monkeypatch):
    path = tmp_path / "results.db"
    shutil.copy(V1, path)
    _no_plugins(monkeypatch)
    with Store(path) as db:
        rows = db.metrics(db.runs()[0]["id"])
    threats = {r.label: r.facts.threat for r in rows}
    assert threats["clean"] == "clean"
    assert threats["pgd[eps=0.1,steps=5]"] == "unknown"


@pytest.mark.slow
def test_a_pipeline_run_stores_facts_and_data_info(tmp_path):
    from robustkit import Pipeline

    result = Pipeline(dataset="digits", model="mlp", training={"epochs": 1}, eval_samples=40,
                      perturbations=[{"name": "pgd", "eps": 0.1, "steps": 2}],
                      store=tmp_path / "r.db", cache=False).run()
    with Store(tmp_path / "r.db") as db:
        run = db.run(result.run_id)
        facts = {m.label: m.facts for m in db.metrics(result.run_id)}
    assert run["data_info"]["num_classes"] == 10 and run["data_info"]["eval_samples"] == 40
    assert facts["pgd[eps=0.1,steps=2]"].threat == "white-box"


def _open(path: str) -> None:
    with Store(path) as db:
        assert all(m.facts is not None for r in db.runs() for m in db.metrics(r["id"]))


@pytest.mark.slow
def test_two_processes_opening_a_version_1_store_at_once_upgrade_it_once(tmp_path):
    import multiprocessing as mp

    path = tmp_path / "results.db"
    shutil.copy(V1, path)
    before = _raw(path, "SELECT count(*) FROM metrics")
    procs = [mp.get_context("spawn").Process(target=_open, args=(str(path),)) for _ in range(2)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(300)
        assert p.exitcode == 0
    assert _raw(path, "SELECT count(*) FROM metrics") == before
    assert _raw(path, "SELECT value FROM meta WHERE key='schema_version'") == [("2",)]
