"""Run an ablation test's own measurement over more seeds: the distributions the ablation
tests' docstrings quote and their margins come from.

    OMP_NUM_THREADS=1 python benchmarks/ablations.py gmm-mixture --seeds 0 1 2 3 4 5
    OMP_NUM_THREADS=1 python benchmarks/ablations.py dual-teacher --seeds 0 1 2 3 4 5 6 7

Each name maps to a ``measure*`` function in a plugin's ``tests/test_ablation.py``, so the
benchmark and the test measure exactly the same thing. Results go to
``benchmarks/results/ablations/NAME.json`` (one record per seed, plus the command).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# name -> (plugin, function in its tests/test_ablation.py)
ABLATIONS = {
    "self-distillation": ("robustkit-distillation", "measure_self_distillation"),
    "dual-teacher": ("robustkit-distillation", "measure_dual_teacher"),
    "gmm-mixture": ("robustkit-gmm", "measure"),
    "awl-weights": ("robustkit-label-noise", "measure"),
    "narx-differencing": ("robustkit-timeseries", "measure_differencing"),
    "chaotic-unit": ("robustkit-timeseries", "measure_chaotic_unit"),
    "enhancer-parts": ("robustkit-underwater", "measure"),
}


def load(plugin: str, function: str):
    tests = ROOT / "plugins" / plugin / "tests"
    sys.path.insert(0, str(tests))  # the tests import their helpers (toy, uw_helpers) flat
    spec = importlib.util.spec_from_file_location(f"ablation_{plugin}", tests / "test_ablation.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return getattr(module, function)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("name", choices=sorted(ABLATIONS))
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3])
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "ablations")
    args = ap.parse_args()
    import torch

    torch.set_num_threads(1)
    measure = load(*ABLATIONS[args.name])
    records = []
    for seed in args.seeds:
        start = time.perf_counter()
        record = {"seed": seed, **measure(seed), "seconds": time.perf_counter() - start}
        records.append(record)
        print(json.dumps(record), flush=True)
    args.out.mkdir(parents=True, exist_ok=True)
    command = (f"OMP_NUM_THREADS=1 python benchmarks/ablations.py {args.name} --seeds "
               + " ".join(map(str, args.seeds)))
    (args.out / f"{args.name}.json").write_text(
        json.dumps({"command": command, "records": records}, indent=1) + "\n")


if __name__ == "__main__":
    main()
