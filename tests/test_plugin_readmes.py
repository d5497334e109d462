"""Every plugin distribution has a README that is its package description and says what it
provides accurately: it names every component the distribution registers, and its example
config resolves against the installed plugins."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest

from robustkit import Pipeline
from robustkit.plan import resolve
from robustkit.plugins import get_registry
from robustkit.sweep import Sweep

ROOT = Path(__file__).resolve().parents[1]
DISTRIBUTIONS = sorted(p.parent for p in ROOT.glob("plugins/*/pyproject.toml"))
# art-* and ta-* are catalogues of dozens of attacks: their READMEs name a few and the count
CATALOGUES = {"robustkit-art": "art-", "robustkit-torchattacks": "ta-"}


@pytest.fixture(scope="module")
def registry():
    return get_registry()


@pytest.mark.parametrize("dist", DISTRIBUTIONS, ids=lambda p: p.name)
def test_readme_is_the_package_description(dist):
    meta = tomllib.loads((dist / "pyproject.toml").read_text())
    assert meta["project"].get("readme") == "README.md"
    text = (dist / "README.md").read_text()
    assert text.startswith(f"# {dist.name}\n")
    assert 15 <= len(text.splitlines()) <= 40


@pytest.mark.parametrize("dist", DISTRIBUTIONS, ids=lambda p: p.name)
def test_readme_names_what_the_distribution_registers(dist, registry):
    text = (dist / "README.md").read_text()
    names = {s.name for s in registry if s.distribution == dist.name}
    prefix = CATALOGUES.get(dist.name)
    if prefix:
        assert f"{len(names)} perturbations `{prefix}*`" in text
        names = {n for n in names if f"`{n}`" in text}
    missing = sorted(n for n in names if f"`{n}`" not in text)
    assert not missing, f"{dist.name}/README.md does not name {missing}"


@pytest.mark.parametrize("dist", DISTRIBUTIONS, ids=lambda p: p.name)
def test_readme_example_config_resolves(dist, registry):
    blocks = re.findall(r"```toml\n(.*?)```", (dist / "README.md").read_text(), re.S)
    for block in blocks:
        data = tomllib.loads(block)
        if "datasets" in data:  # a sweep
            Sweep.model_validate(data)
        else:
            resolve(Pipeline.model_validate(data), registry)
