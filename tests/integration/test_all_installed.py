"""`robustkit sweep --all-installed` over every installed plugin, then `robustkit report`."""

import json

from click.testing import CliRunner

from robustkit.cli import main
from robustkit.components import Kind, Target
from robustkit.plugins import get_registry
from robustkit.store import Store


def test_all_installed_on_digits_completes_and_reports_the_full_matrix(tmp_path):
    store = tmp_path / "r.db"
    runner = CliRunner()
    # one model, 4 test samples and both cores keep it quick (query attacks cost per sample,
    # and per-image transforms such as CLAHE run under every query); every defense and every
    # perturbation is still crossed
    out = runner.invoke(main, ["sweep", "--all-installed", "--dataset", "digits", "--models",
                               "mlp", "--epochs", "1", "--eval-samples", "4",
                               "--executor", "process-pool", "--workers", "2",
                               "--store", str(store)],
                        env={"COLUMNS": "250"})
    assert out.exit_code == 0, out.output
    out = runner.invoke(main, ["report", "--store", str(store), "--out", str(tmp_path / "rep")])
    assert out.exit_code == 0, out.output
    data = json.loads((tmp_path / "rep" / "results.json").read_text())

    reg = get_registry()
    expected_perts = {s.name for s in reg.specs(Kind.PERTURBATION)
                      if "classification" in s.tasks and Target.TEST_INPUTS in s.targets
                      and s.all_installed}
    measured = {r["perturbation"] for r in data["records"]}
    assert expected_perts <= measured, expected_perts - measured
    assert {row["model"] for row in data["matrix"]} == {"mlp"}
    defenses = {s.name for s in reg.specs(Kind.DEFENSE) if "classification" in s.tasks}
    assert {row["defenses"] for row in data["matrix"]} >= defenses | {"none"}
    with Store(store) as db:
        cells = db.cells(db.sweeps()[0]["id"])
    assert cells and all(c["status"] == "done" for c in cells)
