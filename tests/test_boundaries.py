"""The import boundaries in .importlinter hold, and stay complete: every kernel module is
public or forbidden to plugins, every allowed plugin-to-plugin edge is a declared dependency,
and no plugin imports another's private names."""

from __future__ import annotations

import ast
import configparser
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PUBLIC = {"adaptive", "components", "config", "content", "csvfile", "data", "epoch_metrics",
          "errors", "facts", "modules", "named_attack", "objects", "preprocessing", "progress",
          "protocols", "registrar", "registry", "result", "spec", "store", "targets", "testing",
          "trainer"}


def _contracts() -> configparser.ConfigParser:
    parser = configparser.ConfigParser()
    parser.read(ROOT / ".importlinter")
    return parser


def _lines(text: str) -> list[str]:
    return [line.strip() for line in text.splitlines()
            if line.strip() and not line.strip().startswith("#")]


def _plugin_sources() -> dict[str, Path]:
    """{package: its source folder} for every plugin distribution under plugins/."""
    return {src.name: src for src in sorted(ROOT.glob("plugins/*/src/robustkit_*"))}


def _distribution_of(package: str) -> dict:
    return tomllib.loads((_plugin_sources()[package].parents[1] / "pyproject.toml").read_text())


def test_every_kernel_module_is_public_or_forbidden_to_plugins():
    forbidden = {m.removeprefix("robustkit.") for m in _lines(
        _contracts()["importlinter:contract:plugins-use-the-public-api"]["forbidden_modules"])}
    modules = {p.stem for p in (ROOT / "robustkit").glob("*.py") if p.stem != "__init__"}
    modules |= {p.name for p in (ROOT / "robustkit").iterdir()
                if p.is_dir() and (p / "__init__.py").exists()}
    unclassified = modules - forbidden - PUBLIC
    assert not unclassified, (
        f"kernel module(s) {sorted(unclassified)} are neither public API (PUBLIC here and the "
        ".importlinter comment) nor forbidden to plugins: add each to one side")
    assert not forbidden & PUBLIC


def test_every_plugin_is_inside_the_contracts():
    section = _contracts()["importlinter:contract:plugins-are-independent"]
    assert set(_lines(section["modules"])) == set(_plugin_sources())


def test_an_allowed_plugin_edge_is_a_declared_dependency():
    section = _contracts()["importlinter:contract:plugins-are-independent"]
    for edge in _lines(section["ignore_imports"]):
        importer, imported = (part.strip().removesuffix(".**") for part in edge.split("->"))
        wanted = imported.replace("_", "-")
        deps = _distribution_of(importer)["project"]["dependencies"]
        assert any(re.match(rf"{wanted}\b", d) for d in deps), (
            f"{importer} may import {imported} (.importlinter) but its pyproject.toml does "
            f"not declare {wanted}")


def _imports(path: Path) -> list[tuple[str, list[str]]]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.append((node.module, [a.name for a in node.names]))
        elif isinstance(node, ast.Import):
            found += [(a.name, []) for a in node.names]
    return found


def test_no_plugin_imports_another_plugins_private_names():
    packages = set(_plugin_sources())
    private = []
    for package, src in _plugin_sources().items():
        for path in src.rglob("*.py"):
            for module, names in _imports(path):
                top = module.split(".")[0]
                if top not in packages or top == package:
                    continue
                parts = module.split(".")[1:] + names
                private += [f"{path.relative_to(ROOT)}: {module} {p}" for p in parts
                            if p.startswith("_")]
    assert not private, "private names imported across plugins:\n" + "\n".join(private)


@pytest.mark.skipif(shutil.which("lint-imports", path=str(Path(sys.executable).parent)) is None,
                    reason="import-linter is not installed (it is in requirements-dev.txt)")
def test_lint_imports_keeps_every_contract():
    exe = Path(sys.executable).parent / "lint-imports"
    proc = subprocess.run([str(exe)], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-3000:]
    assert "Contracts: 3 kept, 0 broken." in proc.stdout
