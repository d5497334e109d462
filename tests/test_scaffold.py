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
from robustkit.components import Kind
from robustkit.errors import RobustkitError
from robustkit.scaffold import KINDS, SINGLE_MODULE, plugin_names, render_plugin, write_plugin
from robustkit.testing import check_component
from robustkit.testing.contracts import COMMON_CHECKS, KIND_CHECKS

NAMES = {kind: f"scaffolded-{kind}" for kind in KINDS}
MODULES = {"defense": "squeeze", "perturbation": "dropout", "model": "net", "dataset": "rings",
           "metric": "error"}


@pytest.fixture(scope="module")
def generated(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("scaffold")
    return {kind: write_plugin(NAMES[kind], kind, root) for kind in KINDS}


def _src(root: Path, kind: str) -> Path:
    return root if kind in SINGLE_MODULE else root / "src"


@pytest.mark.parametrize("kind", KINDS)
def test_package_layout_and_entry_point(generated, kind):
    root = generated[kind]
    n = plugin_names(NAMES[kind])
    assert root.name == f"robustkit-scaffolded-{kind}"
    written = sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())
    meta = tomllib.loads((root / "pyproject.toml").read_text())
    assert meta["project"]["name"] == n.dist
    assert meta["project"]["readme"] == "README.md"
    # a range that admits the pinned torch, never an exact pin in a library
    assert "torch>=2.4" in meta["project"]["dependencies"]
    if kind in SINGLE_MODULE:
        # the simplest kind is small: one module, its pyproject.toml and a README
        assert written == sorted(["README.md", f"{n.package}.py", "pyproject.toml"])
        assert meta["project"]["entry-points"]["robustkit"] == {n.name: n.package}
        assert f'contract_tests("{kind}", "{n.name}"' in (root / "README.md").read_text()
        return
    for rel in ("README.md", "tests/test_contracts.py", f"tests/test_{MODULES[kind]}.py",
                f"src/{n.package}/plugin.py", f"src/{n.package}/params.py",
                f"src/{n.package}/{MODULES[kind]}.py", f"src/{n.package}/__init__.py"):
        assert rel in written, rel
    assert meta["project"]["entry-points"]["robustkit"] == {n.name: f"{n.package}.plugin"}
    contracts = (root / "tests/test_contracts.py").read_text()
    assert f'contract_tests("{kind}", "{n.name}"' in contracts


@pytest.mark.parametrize("kind", KINDS)
def test_generated_component_keeps_every_contract(generated, kind, monkeypatch):
    monkeypatch.syspath_prepend(str(_src(generated[kind], kind)))
    n = plugin_names(NAMES[kind])
    plugin = importlib.import_module(n.package if kind in SINGLE_MODULE else f"{n.package}.plugin")
    check_component(kind, NAMES[kind], plugin=plugin,
                    stochastic=kind in ("perturbation", "dataset"))


@pytest.mark.slow
def test_generated_perturbation_installs_and_passes_the_contract_tests(generated, tmp_path):
    """pip installs the one-module plugin; robustkit then finds it through its entry point,
    and the contract tests (lazy import included) pass against the installed copy."""
    root = generated["perturbation"]
    target = tmp_path / "site"
    proc = subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps",
                           "--target", str(target), str(root)],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    test = tmp_path / "test_installed.py"
    test.write_text("from robustkit.testing import contract_tests\n\n"
                    f"test_contracts = contract_tests('perturbation', "
                    f"'{NAMES['perturbation']}', stochastic=True)\n")
    env = dict(os.environ, PYTHONPATH=str(target))
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           str(test)], capture_output=True, text=True, env=env, timeout=600,
                          cwd=tmp_path)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    # every contract ran against the installed copy, the lazy-import one included
    expected = len(COMMON_CHECKS) + len(KIND_CHECKS[Kind.PERTURBATION])
    assert f"{expected} passed" in proc.stdout, proc.stdout


def test_generated_behaviour_tests_pass(generated):
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(str(_src(p, k))
                                                     for k, p in generated.items()))
    tests = [str(p / "tests" / f"test_{MODULES[k]}.py") for k, p in generated.items()
             if k not in SINGLE_MODULE]
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           *tests], capture_output=True, text=True, env=env, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "9 passed" in proc.stdout


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
