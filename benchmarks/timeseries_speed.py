"""Training-step cost of the time-series models, relative to the plain RNN.

    OMP_NUM_THREADS=1 python benchmarks/timeseries_speed.py --repeats 20

One forward + backward pass on a batch of 32 Mackey-Glass windows (24 x 1); the minimum over
repeats (the machine is shared), and the ratio to `rnn`.
"""

from __future__ import annotations

import argparse
import time

import torch
from robustkit_timeseries.experiment import load

from robustkit import get_registry
from robustkit.components import Kind

MODELS = [
    ("rnn", {"hidden": 16}),
    ("chaotic-rnn", {"hidden": 16}),
    ("narx (raw)", {"difference": False, "denoise": False}),
    ("narx (differencing)", {"difference": True, "denoise": False}),
    ("narx (differencing + denoising)", {"difference": True, "denoise": True}),
    ("bilstm", {"units": 16}),
]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=20)
    args = ap.parse_args()
    torch.set_num_threads(1)
    data = load("mackey-glass", {"length": 600}, 0)
    x, y = data.x_train[:32], data.y_train[:32]
    times = {}
    for label, params in MODELS:
        name = label.split(" ")[0]
        torch.manual_seed(0)
        net = get_registry().get(Kind.MODEL, name).build(params).build(data.info)
        best = float("inf")
        for _ in range(args.repeats):
            t = time.perf_counter()
            loss = torch.nn.functional.mse_loss(net(x), y)
            loss.backward()
            best = min(best, time.perf_counter() - t)
        times[label] = best
    print("| model | forward + backward, batch 32 (ms, min) | vs rnn |")
    print("|---|---|---|")
    for label, t in times.items():
        print(f"| {label} | {t * 1e3:.2f} | {t / times['rnn']:.1f}x |")


if __name__ == "__main__":
    main()
