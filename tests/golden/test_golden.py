"""Bit-identical metrics on the golden set: every number the five golden pipelines store must
equal, as an exact float, the one recorded from the kernel before it was split into stages
(tests/golden/record.py wrote golden.json). A change that moves any seed, any random stream
or the order of any floating-point operation fails here."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.golden.configs import CASES, run_case

GOLDEN = json.loads(Path(__file__).with_name("golden.json").read_text())


@pytest.mark.parametrize("name", CASES)
def test_metrics_are_bit_identical(name, tmp_path):
    expected = GOLDEN[name]
    got = run_case(name, tmp_path)
    assert len(got["rows"]) == len(expected["rows"])
    for have, want in zip(got["rows"], expected["rows"], strict=True):
        # exact equality: JSON round-trips a Python float exactly (repr is shortest-exact)
        assert have == want, f"{name}: {have} != recorded {want}"
    if name == "sweep":
        assert got["cells"] == expected["cells"]
        return
    assert got["flags"] == expected["flags"]
    assert got["fingerprint"] == expected["fingerprint"], "the model-cache key changed"


def test_the_golden_file_records_real_numbers():
    # a golden file of Nones (say, a detector that never learned) would let any change pass
    assert set(GOLDEN) == set(CASES)
    for name in CASES:
        values = [v for _, _, v in GOLDEN[name]["rows"]]
        assert values and any(v not in (None, 0.0) for v in values), name
    assert GOLDEN["pgd-at"]["flags"], "the pgd-at case exists to exercise a flagging check"
