"""The docs keep up with the code: every hook in robustkit/hookspecs.py, with each of its
parameters, is in the hook reference (docs/hooks.md), and that page is regenerated."""

from __future__ import annotations

import importlib.util
import inspect
import re
import subprocess
import sys
from pathlib import Path

import pluggy
import pytest

from robustkit import hookspecs

REPO = Path(__file__).resolve().parents[1]
HOOKS_MD = REPO / "docs" / "hooks.md"


def _generator():
    spec = importlib.util.spec_from_file_location("gen_hooks_doc", REPO / "tools/gen_hooks_doc.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def hookspecs_by_pluggy() -> dict[str, list[str]]:
    """Hook name -> parameter names, as pluggy sees them (not as the generator does)."""
    pm = pluggy.PluginManager(hookspecs.PROJECT)
    pm.add_hookspecs(hookspecs)
    return {name: list(getattr(pm.hook, name).spec.argnames)
            for name in dir(pm.hook) if name.startswith("robustkit_")}


def undocumented(text: str) -> list[str]:
    """Hooks, or 'hook(param)', missing from the reference text."""
    sections = dict(re.findall(r"### `(\w+)`\n(.*?)(?=\n### |\n## |\Z)", text, re.S))
    missing = []
    for name, params in hookspecs_by_pluggy().items():
        if name not in sections:
            missing.append(name)
            continue
        missing += [f"{name}({p})" for p in params if f"`{p}`" not in sections[name]]
    return missing


def test_every_hook_and_parameter_is_in_the_reference():
    hooks = hookspecs_by_pluggy()
    assert len(hooks) >= 9 and "robustkit_register_defenses" in hooks
    assert undocumented(HOOKS_MD.read_text(encoding="utf-8")) == []


def test_a_missing_hook_or_parameter_is_noticed():
    text = HOOKS_MD.read_text(encoding="utf-8")
    without_hook = re.sub(r"### `robustkit_stage_end`.*?(?=\n### )", "", text, flags=re.S)
    assert undocumented(without_hook) == ["robustkit_stage_end"]
    without_param = text.replace("- `seconds`:", "- seconds:")
    assert undocumented(without_param) == ["robustkit_stage_end(seconds)"]


def test_reference_is_generated_from_the_current_hookspecs():
    gen = _generator()
    assert set(gen.hook_functions()) == set(hookspecs_by_pluggy())
    assert HOOKS_MD.read_text(encoding="utf-8") == gen.render(), (
        "docs/hooks.md is out of date: run python tools/gen_hooks_doc.py")


def test_every_hook_has_a_docstring_with_its_parameters():
    for name, fn in _generator().hook_functions().items():
        doc = inspect.getdoc(fn) or ""
        for param in inspect.signature(fn).parameters:
            assert f":param {param}:" in doc, f"{name}: document :param {param}:"


def test_docs_build_strictly_with_mkdocs(tmp_path):
    if importlib.util.find_spec("mkdocs") is None:
        pytest.skip("mkdocs is not installed (docs/requirements.txt; `tox -e docs`)")
    proc = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir",
                           str(tmp_path / "site")], cwd=REPO, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert (tmp_path / "site" / "hooks" / "index.html").is_file()
