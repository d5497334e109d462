"""Every example script runs to its result table with the smallest settings, so that the
commands the docs quote to reproduce a number cannot rot unnoticed. (The numbers themselves
are checked by the behaviour tests; these runs are too short to mean anything.)"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

# script: (smallest arguments, text its final report prints)
CASES = {
    "adversarial_training_digits.py": (["--seeds", "0", "--epochs", "1", "--train-steps", "1",
                                        "--width", "16"], "|---"),
    "distillation_is_not_robust.py": (["--samples", "10", "--epochs", "1"], "|---"),
    "tampering_detection.py": (["--seeds", "0", "--epochs", "1", "--meters", "60",
                                "--tampering", "traditional"], "dual − single"),
    "tampering_evasion.py": (["--seeds", "0", "--epochs", "1"], "dual − single"),
    "timeseries_closed_loop.py": (["--steps", "3"], "closed loop over 3 steps"),
    "illumination_reconstruction.py": (["--seeds", "0", "--epochs", "1"], "|---"),
}
NEEDS = {
    "adversarial_training_digits.py": ["robustkit_adversarial_training", "robustkit_distillation"],
    "distillation_is_not_robust.py": ["robustkit_distillation", "robustkit_optim_attacks"],
    "tampering_detection.py": ["robustkit_smart_meter", "robustkit_distillation"],
    "tampering_evasion.py": ["robustkit_smart_meter", "robustkit_distillation"],
    "timeseries_closed_loop.py": ["robustkit_timeseries"],
    "illumination_reconstruction.py": ["robustkit_gmm", "robustkit_corruptions",
                                       "robustkit_noise", "robustkit_vision_models"],
}


def test_every_example_script_is_listed():
    # a new example must be added here, or left to an integration test of its own (the
    # underwater one trains two networks: tests/integration/test_underwater.py)
    own_tests = {"underwater_enhancement.py"}
    assert {p.name for p in EXAMPLES.glob("*.py")} == set(CASES) | own_tests


@pytest.mark.parametrize("script", sorted(CASES))
def test_example_runs_to_its_table(script, tmp_path):
    for module in NEEDS[script]:
        pytest.importorskip(module)
    args, report = CASES[script]
    done = subprocess.run([sys.executable, str(EXAMPLES / script), *args],
                          cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    assert report in done.stdout, done.stdout[-2000:]
