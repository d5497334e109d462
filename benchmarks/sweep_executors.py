"""Process-pool vs in-process execution of the same sweep (≥ 8 evaluation cells).

Run: python benchmarks/sweep_executors.py [--repeats 2]
Each executor runs the sweep from scratch into its own store (so nothing is cached between
them); we report wall times and the speed-up, and check that both stored the same numbers.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

from robustkit.config import ComponentRef
from robustkit.report import build_report
from robustkit.store import Store
from robustkit.sweep import Sweep, expand, run_sweep

SWEEP = dict(
    name="bench", datasets=["digits"], models=["mlp", "small-cnn"],
    perturbations=[{"name": "gaussian-noise", "severity": [1, 3, 5]}, "salt-and-pepper"],
    seeds=[0, 1], training={"epochs": 60},
)


def timed(sweep: Sweep, executor: ComponentRef, root: Path) -> tuple[float, list]:
    # a folder of its own: the model cache sits beside the store, and a shared cache would
    # hand the second executor the first one's trained models
    store = root / f"{executor.name}-{time.time_ns()}" / "results.db"
    start = time.perf_counter()
    outcome = run_sweep(sweep, store=store, executor=executor)
    seconds = time.perf_counter() - start
    assert not outcome.failed, outcome.failed
    with Store(store) as db:
        rep = build_report(db, sweep_id=outcome.sweep_id)
    return seconds, sorted((r.row, r.seed, r.label, r.metric, r.value) for r in rep.records)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=2)
    args = parser.parse_args()
    sweep = Sweep(**SWEEP)
    cells = expand(sweep).cells
    print(f"{len(cells)} cells ({sum(c.phase == 0 for c in cells)} train + evaluate clean, "
          f"{sum(c.phase == 1 for c in cells)} evaluate); {os.cpu_count()} CPUs")
    executors = [ComponentRef(name="in-process"),
                 ComponentRef(name="process-pool", params={"workers": os.cpu_count()})]
    times: dict[str, list[float]] = {e.name: [] for e in executors}
    values = {}
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(args.repeats):
            for ex in executors:
                seconds, vals = timed(sweep, ex, Path(tmp))
                times[ex.name].append(seconds)
                values[ex.name] = vals
    same = values["in-process"] == values["process-pool"]
    print("| executor | median wall (s) | runs |\n|---|---|---|")
    for name, ts in times.items():
        print(f"| {name} | {statistics.median(ts):.1f} | {', '.join(f'{t:.1f}' for t in ts)} |")
    ratio = statistics.median(times["in-process"]) / statistics.median(times["process-pool"])
    print(f"\nprocess-pool speed-up: {ratio:.2f}x; identical stored values: {same}")


if __name__ == "__main__":
    main()
