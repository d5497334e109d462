"""The lazy-import contract imports a plugin module once, however many components it has."""

import subprocess

from robustkit.testing import contracts
from robustkit.testing.contracts import ContractSuite


def test_the_plugin_module_is_probed_once_for_all_its_components(monkeypatch):
    calls = []
    real = subprocess.run

    def counting(args, **kwargs):
        calls.append(args)
        return real(args, **kwargs)

    contracts._probe_import.cache_clear()
    monkeypatch.setattr(contracts.subprocess, "run", counting)
    for name in ("gaussian-noise", "uniform-noise", "salt-and-pepper"):
        ContractSuite("perturbation", name).run_check("lazy-import")
    assert len(calls) == 1
    assert "robustkit_noise.plugin" in calls[0][-1]
