"""Registration is cheap and lazy; a missing ART is reported with the install command."""

import subprocess
import sys

import pytest

from robustkit import UnknownComponentError
from robustkit.components import Kind


def test_listing_imports_neither_art_nor_torch():
    code = ("import sys; from robustkit.plugins import get_registry; "
            "r = get_registry(); assert r.get('perturbation', 'art-pgd'); "
            "print(','.join(m for m in ('art', 'torch') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == ""


def test_missing_art_names_the_install_command(monkeypatch):
    import importlib.util

    import robustkit_art.plugin as plugin

    from robustkit.plugins import PluginHost

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "art" else real(name, *a))
    host = PluginHost(load_entry_points=False, extra=[plugin])
    record = host.registry.plugins[plugin.__name__]
    assert "pip install adversarial-robustness-toolbox==1.20.1" in record.error
    with pytest.raises(UnknownComponentError, match="art-pgd.*failed to load.*pip install "
                                                    "adversarial-robustness-toolbox"):
        host.registry.get(Kind.PERTURBATION, "art-pgd")


def test_adapters_stay_out_of_all_installed_sweeps():
    from robustkit.plugins import get_registry

    spec = get_registry().get(Kind.PERTURBATION, "art-fgsm")
    assert spec.all_installed is False and spec.threat.norm == "linf" and spec.strength == "eps"
    assert get_registry().get(Kind.PERTURBATION, "art-deepfool").strength is None
