"""Bad command-line options: validated by the same pydantic models as the config files, so
the message names the option's field and its allowed range; the store is left unchanged."""

from __future__ import annotations

import pytest
from catalogue import cli, snapshot, write_config

SWEEP = """
datasets = ["toy"]
models = ["linear"]
perturbations = [{ name = "shift", amount = 0.2 }]
metrics = ["acc"]
[training]
epochs = 2
"""


@pytest.mark.parametrize(("seed", "message"), [
    ("-1", "seed: Input should be greater than or equal to 0 (got -1)"),
    ("99999999999999999999", "seed: Input should be less than 9223372036854775808"),
])
def test_run_seed_out_of_range(host, store, tmp_path, seed, message):
    config = write_config(tmp_path / "p.toml")
    before = snapshot(store)
    result = cli("run", config, "--store", store, "--seed", seed)
    assert result.exit_code == 2
    assert "the command-line options is not a valid pipeline config" in result.output
    assert message in result.output
    assert snapshot(store) == before


@pytest.mark.parametrize(("option", "value", "message"), [
    ("--seeds", "-1", "seeds.0: Input should be greater than or equal to 0 (got -1)"),
    ("--seeds", "1,99999999999999999999", "seeds.1: Input should be less than"),
    ("--epochs", "-1", "training.epochs: Input should be greater than or equal to 0"),
    ("--eval-samples", "0", "eval_samples: Input should be greater than or equal to 1"),
    ("--workers", "0", "workers = 0: Input should be greater than or equal to 1"),
])
def test_sweep_override_out_of_range(host, store, tmp_path, option, value, message):
    config = tmp_path / "s.toml"
    config.write_text(SWEEP)
    before = snapshot(store)
    result = cli("sweep", config, "--store", store, option, value)
    assert result.exit_code == 2, result.output
    assert message in result.output
    assert snapshot(store) == before


def test_workers_zero_is_not_silently_in_process(host, store, tmp_path):
    config = tmp_path / "s.toml"
    config.write_text(SWEEP)
    result = cli("sweep", config, "--store", store, "--executor", "process-pool",
                 "--workers", "0")
    assert result.exit_code == 2
    assert "executor 'process-pool' has invalid parameters" in result.output


def test_show_percent_is_no_wildcard(host, store):
    before = snapshot(store)
    for pattern in ("%", "_", "2%"):
        result = cli("show", pattern, "--store", store)
        assert result.exit_code == 2
        assert f"no run {pattern!r}" in result.output
    assert snapshot(store) == before


def test_show_prints_flags_as_text_and_json(host, store):
    import json

    from robustkit.integrity import Flag
    from robustkit.store import Store

    with Store(store) as db:
        run_id = db.runs()[0]["id"]
        db.add_flags(run_id, [Flag("weaker-than-noise", "clean", "noise beats the attack")])
    result = cli("show", run_id, "--store", store)
    assert result.exit_code == 0
    assert "1 integrity flag(s)" in result.output
    assert "weaker-than-noise: noise beats the attack" in result.output
    shown = json.loads(cli("show", run_id, "--store", store, "--json").output)
    assert shown["flags"] == [{"label": "clean", "check": "weaker-than-noise",
                               "message": "noise beats the attack"}]


def test_run_prints_flags_under_its_table(host, tmp_path):
    """An attack that does nothing is weaker than random noise of its budget: flagged, and
    the flag is printed with the numbers, not only in the report."""
    import json

    config = write_config(tmp_path / "p.toml",
                          'perturbations = [{ name = "do-nothing", eps = 0.3 }]')
    result = cli("run", config, "--store", tmp_path / "r.db")
    assert result.exit_code == 0, result.output
    assert "integrity flag(s)" in result.output and "do-nothing" in result.output
    as_json = json.loads(cli("run", config, "--store", tmp_path / "r.db", "--json").output)
    assert as_json["flags"] and all(f["label"].startswith("do-nothing") for f in
                                    as_json["flags"])


def test_sweep_device_checked_before_any_cell(host, store, tmp_path):
    config = tmp_path / "s.toml"
    config.write_text('device = "banana"\n' + SWEEP)
    before = snapshot(store)
    result = cli("sweep", config, "--store", store)
    assert result.exit_code == 2
    assert "device 'banana' is not a torch device" in result.output
    assert snapshot(store) == before  # no sweep, no failed cells


def test_runs_limit_must_be_positive(host, store):
    before = snapshot(store)
    for limit in ("0", "-1"):
        result = cli("runs", "--store", store, "--limit", limit)
        assert result.exit_code == 2
        assert "Invalid value for '--limit'" in result.output and ">=1" in result.output
    assert snapshot(store) == before


def test_report_of_a_metric_no_run_has(host, store, tmp_path):
    before = snapshot(store)
    result = cli("report", "--store", store, "--metric", "accuracy", "--out", tmp_path / "rep")
    assert result.exit_code == 2
    assert "nothing to report" in result.output and "the runs have: acc (--metric)" in \
        result.output
    assert not (tmp_path / "rep").exists()
    assert snapshot(store) == before
