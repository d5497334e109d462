"""The command line of issue 24: `list` never truncates a name, a sweep says n/N and what each
cell is, training reports epoch and loss, `report --compare` writes a comparison."""

import json
import os

import pytest
from click.testing import CliRunner

from robustkit.cli import main
from robustkit.plugins import get_registry


def _names():
    return sorted({s.name for s in get_registry()})


@pytest.mark.parametrize("width", [60, 100])
def test_list_never_truncates_a_name_in_a_narrow_terminal(width, monkeypatch):
    monkeypatch.setenv("COLUMNS", str(width))
    out = CliRunner().invoke(main, ["list"], terminal_width=width)
    assert out.exit_code == 0, out.output
    longest = max(_names(), key=len)
    assert len(longest) > 12
    lines = out.output.splitlines()
    for name in _names():
        assert any(name in line for line in lines), name
    assert "…" not in out.output


def test_list_plain_and_json_give_every_name_whole():
    plain = CliRunner().invoke(main, ["list", "perturbations", "--plain"])
    assert plain.exit_code == 0, plain.output
    names = [line.split("\t")[1] for line in plain.output.splitlines()]
    expected = sorted(s.name for s in get_registry() if s.kind.value == "perturbation")
    assert sorted(names) == expected
    data = json.loads(CliRunner().invoke(main, ["list", "--json"]).output)
    assert sorted({d["name"] for d in data}) == _names()
    assert {"kind", "name", "tasks", "plugin", "summary"} <= set(data[0])


def test_training_reports_each_epoch_with_its_loss(tmp_path):
    from robustkit import Pipeline
    from robustkit.progress import listening

    events = []
    with listening(lambda e, info: events.append((e, info))):
        Pipeline(dataset="digits", model="mlp", training={"epochs": 3}, eval_samples=20,
                 store=tmp_path / "r.db", cache=False).run()
    epochs = [info for e, info in events if e == "epoch"]
    assert [(i["epoch"], i["epochs"]) for i in epochs] == [(1, 3), (2, 3), (3, 3)]
    assert epochs[-1]["loss"] < epochs[0]["loss"]

    # what the command line shows of them: a training bar with epoch, loss and time left
    from rich.console import Console

    from robustkit.cli_progress import EpochBars, _bar

    with open(os.devnull, "w") as devnull:
        bar = _bar(Console(file=devnull), quiet=True)
        bars = EpochBars(bar)
        for info in epochs[:2]:
            bars("epoch", info)
    (task,) = bar.tasks
    assert task.completed == 2 and task.total == 3
    assert task.fields["note"] == f"epoch 2/3 loss {epochs[1]['loss']:.4f}"
    assert any(type(c).__name__ == "TimeRemainingColumn" for c in bar.columns)


def test_a_sweep_prints_n_of_n_and_what_each_cell_is(tmp_path):
    config = tmp_path / "sweep.json"
    config.write_text(json.dumps({
        "datasets": ["digits"], "models": ["mlp"], "training": {"epochs": 1},
        "eval_samples": 30, "perturbations": [{"name": "gaussian-noise", "severity": [1, 3]}],
        "seeds": [0]}))
    out = CliRunner().invoke(main, ["sweep", str(config), "--store", str(tmp_path / "r.db")])
    assert out.exit_code == 0, out.output
    assert "[1/3] ok digits / mlp / seed 0 / train + clean" in out.output
    assert "[3/3] ok digits / mlp / seed 0 / gaussian-noise[severity=3]" in out.output
    assert "cell 9" not in out.output  # no bare hashes

    run_cfg = tmp_path / "run.json"
    run_cfg.write_text(json.dumps({
        "dataset": "digits", "model": "mlp", "training": {"epochs": 2}, "eval_samples": 30,
        "perturbations": [{"name": "gaussian-noise", "severity": 3}], "seed": 0}))
    other = CliRunner().invoke(main, ["run", str(run_cfg), "--store", str(tmp_path / "r.db"),
                                      "--json"])
    assert other.exit_code == 0, other.output
    run_id = json.loads(other.output)["run_id"]
    cmp = CliRunner().invoke(main, ["report", "--store", str(tmp_path / "r.db"), "--compare",
                                    run_id, "sweep", "--out", str(tmp_path / "cmp")])
    assert cmp.exit_code == 0, cmp.output
    html = (tmp_path / "cmp" / "compare.html").read_text()
    assert "B − A" in html and "gaussian-noise[severity=3]" in html
