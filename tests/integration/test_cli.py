"""The CLI end to end, with the first-party plugins installed."""

import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

from robustkit.cli import main

NO_TORCH = """
import sys
from robustkit.cli import main
sys.argv = ["robustkit", *{args!r}]
try:
    main()
except SystemExit as e:
    assert not e.code, e.code
assert "torch" not in sys.modules, "torch was imported"
assert "sklearn" not in sys.modules, "scikit-learn was imported"
assert "ray" not in sys.modules, "ray was imported"
print("NO-TORCH-OK")
"""


@pytest.mark.parametrize("args", [["plugins"], ["list"], ["describe", "gaussian-noise"],
                                  ["list", "perturbations"]])
def test_listing_commands_never_import_torch(args):
    out = subprocess.run([sys.executable, "-c", NO_TORCH.format(args=args)],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert "NO-TORCH-OK" in out.stdout


def test_plugins_lists_every_first_party_plugin():
    out = CliRunner().invoke(main, ["plugins"], env={"COLUMNS": "200"})
    assert out.exit_code == 0
    for dist in ("robustkit-datasets", "robustkit-vision-models", "robustkit-noise",
                 "robustkit-classification-metrics", "robustkit-attacks"):
        assert dist in out.output


def test_describe_shows_params_with_defaults_and_bounds():
    out = CliRunner().invoke(main, ["describe", "gaussian-noise"], env={"COLUMNS": "200"})
    assert out.exit_code == 0
    assert "severity" in out.output and ">= 1, <= 5" in out.output and "3" in out.output


def test_describe_unknown_suggests():
    out = CliRunner().invoke(main, ["describe", "gausian-noise"])
    assert out.exit_code == 2 and "Did you mean gaussian-noise" in out.output


def test_list_unknown_kind_is_explained():
    out = CliRunner().invoke(main, ["list", "attackz"])
    assert out.exit_code == 2 and "choose one of" in out.output


def test_run_show_and_runs(tmp_path):
    config = tmp_path / "quick.toml"
    config.write_text(
        'dataset = "blobs"\nmodel = "mlp"\nmetrics = ["accuracy", "roc-auc"]\n'
        'perturbations = [{ name = "uniform-noise", severity = [1, 5] }]\n'
        '[training]\nepochs = 5\n'
    )
    store = tmp_path / "r.db"
    runner = CliRunner()
    out = runner.invoke(main, ["run", str(config), "--store", str(store), "--json"])
    assert out.exit_code == 0, out.output
    result = json.loads(out.output)
    table = {row["perturbation"]: row for row in result["table"]}
    assert set(table) == {"clean", "uniform-noise[severity=1]", "uniform-noise[severity=5]"}
    assert table["clean"]["accuracy"] > 0.9
    assert table["uniform-noise[severity=5]"]["accuracy"] < table["clean"]["accuracy"]

    out = runner.invoke(main, ["runs", "--store", str(store)], env={"COLUMNS": "200"})
    assert out.exit_code == 0 and result["run_id"] in out.output
    out = runner.invoke(main, ["show", result["run_id"][:15], "--store", str(store), "--json"])
    shown = json.loads(out.output)
    assert shown["status"] == "done" and shown["plugins"]["noise"]["version"] == "0.1.0"
    assert len(shown["metrics"]) == 6


def test_bad_config_is_one_clear_line_not_a_traceback(tmp_path):
    config = tmp_path / "bad.toml"
    config.write_text('dataset = "digits"\nmodel = "small-cnn"\nmetrics = ["acuracy"]\n')
    out = CliRunner().invoke(main, ["run", str(config), "--store", str(tmp_path / "r.db")])
    assert out.exit_code == 2
    assert "no metric named 'acuracy'" in out.output and "Did you mean 'accuracy'" in out.output
    assert "Traceback" not in out.output


def test_incompatible_combination_refused_before_training(tmp_path):
    config = tmp_path / "bad.toml"
    config.write_text('dataset = "blobs"\nmodel = "small-cnn"\n')
    out = CliRunner().invoke(main, ["run", str(config), "--store", str(tmp_path / "r.db")])
    assert out.exit_code == 2
    assert "model 'small-cnn' accepts image inputs, but dataset 'blobs' has vector" in out.output
    assert not (tmp_path / "r.db").exists()  # refused before the store was even opened


def test_foreign_store_file_is_refused_untouched(tmp_path):
    store = tmp_path / "thesis.db"
    store.write_text("chapter one")
    out = CliRunner().invoke(main, ["runs", "--store", str(store)])
    assert out.exit_code == 2 and "not a robustkit results database" in out.output
    assert store.read_text() == "chapter one"
