"""Registration is lazy; without torchattacks, naming ta-pgd says how to install it."""

import subprocess
import sys

import pytest

from robustkit import UnknownComponentError
from robustkit.components import Kind


def test_listing_imports_neither_torchattacks_nor_torch():
    code = ("import sys; from robustkit.plugins import get_registry; "
            "r = get_registry(); r.plugins; "
            "print(','.join(m for m in ('torchattacks', 'torch') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == ""


def test_missing_torchattacks_says_install_with_no_deps(monkeypatch):
    import importlib.util

    import robustkit_torchattacks.plugin as plugin

    from robustkit.plugins import PluginHost

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "torchattacks" else real(name, *a))
    host = PluginHost(load_entry_points=False, extra=[plugin])
    assert "--no-deps torchattacks==3.5.1" in host.registry.plugins[plugin.__name__].error
    with pytest.raises(UnknownComponentError,
                       match="(?s)ta-pgd.*failed to load.*pip install --no-deps torchattacks"):
        host.registry.get(Kind.PERTURBATION, "ta-pgd")


def test_the_distribution_does_not_depend_on_torchattacks_or_torchvision():
    from importlib import metadata

    requires = " ".join(metadata.requires("robustkit-torchattacks") or [])
    assert "torchattacks" not in requires and "torchvision" not in requires
