"""`robustkit new-plugin` writes a package that is lint-clean, registers its component, keeps
every contract and passes its own tests. (tests/packaging/ installs one into a fresh venv.)"""

from __future__ import annotations

import importlib
import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
from click.testing import CliRunner

from robustkit.cli import main
from robustkit.errors import RobustkitError
from robustkit.scaffold import KINDS, plugin_names, render_plugin, write_plugin
from robustkit.testing import check_component

NAMES = {kind: f"scaffolded-{kind}" for kind in KINDS}
MODULES = {"defense": "squeeze", "perturbation": "dropout", "model": "net", "dataset": "rings",
           "metric": "error"}


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("scaffold")
    return {kind: write_plugin(NAMES[kind], kind, root) for kind in KINDS}


@pytest.mark.parametrize("kind", KINDS)
def test_package_layout_and_entry_point(generated, kind):
    root = generated[kind]
    n = plugin_names(NAMES[kind])
    assert root.name == f"robustkit-scaffolded-{kind}"
    for rel in ("README.md", "tests/test_contracts.py", f"tests/test_{MODULES[kind]}.py",
                f"src/{n.package}/plugin.py", f"src/{n.package}/params.py",
                f"src/{n.package}/{MODULES[kind]}.py", f"src/{n.package}/__init__.py"):
        assert (root / rel).is_file(), rel
    meta = tomllib.loads((root / "pyproject.toml").read_text())
    assert meta["project"]["name"] == n.dist
    assert meta["project"]["entry-points"]["robustkit"] == {n.name: f"{n.package}.plugin"}
    assert "torch==2.13.0" in meta["project"]["dependencies"]
    contracts = (root / "tests/test_contracts.py").read_text()
    assert f'contract_tests("{kind}", "{n.name}"' in contracts


@pytest.mark.parametrize("kind", KINDS)
def test_generated_component_keeps_every_contract(generated, kind, monkeypatch):
    monkeypatch.syspath_prepend(str(generated[kind] / "src"))
    plugin = importlib.import_module(f"{plugin_names(NAMES[kind]).package}.plugin")
    check_component(kind, NAMES[kind], plugin=plugin,
                    stochastic=kind in ("perturbation", "dataset"))


def test_generated_behaviour_tests_pass(generated):
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(str(p / "src") for p in generated.values()))
    tests = [str(p / "tests" / f"test_{MODULES[k]}.py") for k, p in generated.items()]
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           *tests], capture_output=True, text=True, env=env, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "11 passed" in proc.stdout


def test_generated_code_is_ruff_clean(generated):
    ruff = [sys.executable, "-m", "ruff"]
    if subprocess.run([*ruff, "--version"], capture_output=True).returncode != 0:
        pytest.skip("ruff is not installed (it is in requirements-dev.txt)")
    root = next(iter(generated.values())).parent
    proc = subprocess.run([*ruff, "check", "--output-format", "concise", str(root)],
                          capture_output=True, text=True)
    assert proc.returncode == 0, proc.stdout


def test_names_are_normalised_and_validated():
    n = plugin_names("robustkit-median-filter")
    assert (n.name, n.dist, n.package, n.cls) == (
        "median-filter", "robustkit-median-filter", "robustkit_median_filter", "MedianFilter")
    for bad in ("Median", "2fast", "my_defense", "a--b", "", "-x"):
        with pytest.raises(RobustkitError, match="lower-case letters"):
            plugin_names(bad)
    with pytest.raises(RobustkitError, match="choose one of defense, perturbation"):
        render_plugin("x", "attack")


def test_cli_writes_the_package_and_refuses_to_overwrite(tmp_path):
    runner = CliRunner()
    args = ["new-plugin", "top-error", "--kind", "metric", "--dir", str(tmp_path)]
    result = runner.invoke(main, args)
    assert result.exit_code == 0, result.output
    assert "created" in result.output and "pip install -e '.[test]'" in result.output
    assert (tmp_path / "robustkit-top-error/src/robustkit_top_error/error.py").is_file()
    again = runner.invoke(main, args)
    assert again.exit_code == 2 and "already exists" in again.output
    assert runner.invoke(main, [*args, "--force"]).exit_code == 0
    bad = runner.invoke(main, ["new-plugin", "x", "--kind", "attack"])
    assert bad.exit_code == 2 and "defense" in bad.output
