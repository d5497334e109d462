"""Speed of the enhancement methods on the held-out underwater patches (one thread).

Times each method on the 141 test patches of `underwater-pairs` (48 x 48, defaults, seed 0):
the three classical baselines and the forward pass of the enhancer (untrained weights: the
cost does not depend on their values). Repeats each measurement and reports the minimum and
the median, and the ratio of each minimum to the enhancer's.

    OMP_NUM_THREADS=1 python benchmarks/underwater.py --repeats 5

Needs robustkit-underwater.
"""

from __future__ import annotations

import argparse
import statistics
import time

import torch
from robustkit_underwater import classical
from robustkit_underwater.datasets import UnderwaterPairs
from robustkit_underwater.enhancer import DualBranchEnhancer
from robustkit_underwater.params import ClaheParams, DarkChannelParams, EnhancerParams, PairsParams


def timed(fn, repeats: int) -> list[float]:
    out = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        out.append(time.perf_counter() - t)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args()
    torch.set_num_threads(1)
    x = UnderwaterPairs(PairsParams()).load(0).x_test
    torch.manual_seed(0)
    net = DualBranchEnhancer(EnhancerParams()).eval()
    methods = {
        "gray-world": classical.GrayWorldModel().build(None),
        "clahe": classical.ClaheModel(ClaheParams()).build(None),
        "dark-channel-prior": classical.DarkChannelModel(DarkChannelParams()).build(None),
        "underwater-enhancer": net,
    }
    results = {}
    for name, module in methods.items():
        with torch.inference_mode():
            module(x[:4])  # warm-up
            results[name] = timed(lambda m=module: m(x), args.repeats)
    base = min(results["underwater-enhancer"])
    print(f"{x.shape[0]} patches of {tuple(x.shape[1:])}, {args.repeats} repeats, 1 thread")
    print("| method | min (ms) | median (ms) | ms per patch | min / enhancer |")
    print("|---|---|---|---|---|")
    for name, times in results.items():
        lo = min(times)
        print(f"| {name} | {1000 * lo:.1f} | {1000 * statistics.median(times):.1f} | "
              f"{1000 * lo / x.shape[0]:.2f} | {lo / base:.2f} |")


if __name__ == "__main__":
    main()
