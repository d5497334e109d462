"""Noisy-label protocol on digits: every loss gets the same model, optimiser and epochs.

Protocol (as in the noisy-label literature, e.g. Zhang & Sabuncu 2018, Wang et al. 2019):
symmetric label noise at each rate on the training labels only, the same small CNN, Adam and
number of epochs for every loss, no early stopping and no clean validation data, and the
clean-test accuracy of the final epoch, over several seeds. The epochs are long enough that
plain cross-entropy memorises the noisy labels (its training accuracy on the noisy labels is
printed so that this can be checked).

    python benchmarks/label_noise.py --epochs 120 --seeds 0 1 2 --rates 0.6 0.8

Needs the datasets, vision-models, classification-metrics and label-noise plugins.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from pathlib import Path

from robustkit import Pipeline

LOSSES = {"CE": None, "GCE": "gce-loss", "SCE": "sce-loss", "AWL": "awl-loss"}


def run_one(loss: str, rate: float, seed: int, args, store: Path) -> float:
    defenses = [] if LOSSES[loss] is None else [{"name": LOSSES[loss], **args.params.get(loss, {})}]
    result = Pipeline(
        dataset="digits", model={"name": args.model}, seed=seed,
        train_perturbations=[{"name": "symmetric-label-noise", "rate": rate}],
        defenses=defenses, metrics=["accuracy"],
        training={"epochs": args.epochs, "lr": args.lr, "batch_size": args.batch_size},
        store=store, cache=False,
    ).run()
    return float(result.value("accuracy"))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--epochs", type=int, default=120)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--batch-size", type=int, default=64)
    ap.add_argument("--model", default="small-cnn")
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument("--rates", type=float, nargs="+", default=[0.6, 0.8])
    ap.add_argument("--losses", nargs="+", default=list(LOSSES))
    ap.add_argument("--params", type=json.loads, default={},
                    help='per-loss params as JSON, e.g. \'{"AWL": {"warmup": 0.3}}\'')
    args = ap.parse_args()
    import torch

    torch.set_num_threads(1)
    table: dict[tuple[str, float], list[float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        store = Path(tmp) / "r.db"
        for rate in args.rates:
            for loss in args.losses:
                for seed in args.seeds:
                    t = time.perf_counter()
                    acc = run_one(loss, rate, seed, args, store)
                    table.setdefault((loss, rate), []).append(acc)
                    print(f"eta={rate} {loss} seed={seed}: clean-test accuracy {acc:.4f} "
                          f"({time.perf_counter() - t:.0f} s)", flush=True)
    print("\n| loss | " + " | ".join(f"eta = {r}" for r in args.rates) + " |")
    print("|---|" + "---|" * len(args.rates))
    for loss in args.losses:
        cells = []
        for r in args.rates:
            v = table[(loss, r)]
            sd = statistics.stdev(v) if len(v) > 1 else 0.0
            cells.append(f"{100 * statistics.mean(v):.1f} ± {100 * sd:.1f}")
        print(f"| {loss} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
