"""The pytest plugin: one line runs every contract, a broken contract is a readable failure,
and loading the plugin (which every pytest run does) imports no torch."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ONE_LINERS = '''
import fixture_plugin
from robustkit.testing import contract_tests

test_good = contract_tests("perturbation", "good-noise", plugin=fixture_plugin, stochastic=True)
test_leaky = contract_tests("perturbation", "leaky-noise", plugin=fixture_plugin)


def test_fixture(robustkit_contracts):
    robustkit_contracts("defense", "rounding-squeeze", plugin=fixture_plugin)
'''


def test_one_line_contract_tests_report_each_contract(tmp_path: Path):
    shutil.copy(Path(__file__).with_name("broken_plugin.py"), tmp_path / "fixture_plugin.py")
    (tmp_path / "test_plugin_contracts.py").write_text(ONE_LINERS)
    proc = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-rf", "-p", "no:cacheprovider",
         "--robustkit-device", "cpu", "test_plugin_contracts.py"],
        cwd=tmp_path, capture_output=True, text=True, timeout=300,
    )
    out = proc.stdout + proc.stderr
    assert proc.returncode == 1, out
    # every contract of the good component passed as its own test; the broken ones failed
    assert "FAILED test_plugin_contracts.py::test_leaky[perturbation-bounds]" in out
    assert "fix: clamp the result to ctx.info.bounds" in out
    assert "FAILED test_plugin_contracts.py::test_fixture" in out
    assert "register it with differentiable=False" in out
    assert "test_good[" not in out.split("short test summary")[-1]
    assert "2 failed, 13 passed" in out


def test_loading_the_pytest_plugin_imports_no_torch():
    probe = ("import sys, robustkit.testing.pytest_plugin, robustkit.testing; "
             "print('torch' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "False"
