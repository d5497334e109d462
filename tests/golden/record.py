"""Record the golden metrics from the current code into ``golden.json``.

Run it only from a commit whose numbers are the reference (it was first run before the
pipeline was split into stages)::

    OMP_NUM_THREADS=1 python tests/golden/record.py [case ...]

Without arguments every case is recorded; with names, only those are re-recorded.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("ROBUSTKIT_MLFLOW", "off")  # as in the test suite: no ./mlruns

from tests.golden.configs import CASES, run_case  # noqa: E402

GOLDEN = Path(__file__).with_name("golden.json")


def main(names: list[str]) -> None:
    unknown = sorted(set(names) - set(CASES))
    if unknown:
        raise SystemExit(f"unknown golden case(s) {unknown}; the cases are {CASES}")
    recorded = json.loads(GOLDEN.read_text()) if GOLDEN.exists() else {}
    with tempfile.TemporaryDirectory() as tmp:
        for name in names or CASES:
            recorded[name] = run_case(name, Path(tmp))
            print(f"recorded {name}: {len(recorded[name]['rows'])} rows")
    GOLDEN.write_text(json.dumps(recorded, indent=1, sort_keys=True) + "\n")


if __name__ == "__main__":
    main(sys.argv[1:])
