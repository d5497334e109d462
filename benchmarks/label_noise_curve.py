"""Clean-test accuracy after every epoch for CE, GCE, SCE and AWL under symmetric label
noise: when does AWL pay?

Reduced protocol (the loaded 2-core machine could not run the CNN protocol of
benchmarks/label_noise.py with per-epoch curves): digits as 64 pixel features, the MLP of
the label-noise tests (64-256-256-10), Adam lr 1e-3, batch 64, symmetric noise on the training
labels only, the same model, optimiser and epochs for every loss, no early stopping. The test
accuracy is recorded after every epoch through the kernel trainer's ``monitor`` option
(robustkit.epoch_metrics); it is reported, never used to choose anything.

    OMP_NUM_THREADS=1 python benchmarks/label_noise_curve.py --rates 0.8 --seeds 0 \
        --out benchmarks/results/label_noise_curve_0.8.json
    OMP_NUM_THREADS=1 python benchmarks/label_noise_curve.py --rates 0.6 --seeds 0 \
        --out benchmarks/results/label_noise_curve_0.6.json
    python benchmarks/label_noise_curve.py --summarise benchmarks/results/label_noise_curve_*.json \
        --out benchmarks/results/label_noise_curve.json

``--summarise`` merges run files into one JSON and prints the docs table (test accuracy at
epochs 10, 20, 40 and 60, the best epoch and the final one, per seed).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import torch
from robustkit_label_noise.defenses import AWL, GCE, SCE
from robustkit_label_noise.params import AWLParams, GCEParams, SCEParams

from robustkit import Task
from robustkit.config import TrainingConfig
from robustkit.data import DefenseContext
from robustkit.epoch_metrics import accuracy_monitor, summarise
from robustkit.trainer import Trainer

# the label-noise tests' data and MLP, so the curves and the tests measure the same set-up
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "plugins" /
                       "robustkit-label-noise" / "tests"))
from label_noise_helpers import mlp  # noqa: E402
from label_noise_helpers import noisy_digits as _noisy_digits  # noqa: E402

LOSSES = {"CE": None, "GCE": lambda: GCE(GCEParams()), "SCE": lambda: SCE(SCEParams()),
          "AWL": lambda: AWL(AWLParams()),
          # the ablation: AWL with its adaptive weights never switched on (warm-up for the
          # whole run), keeping only the p^q confidence weighting
          "AWL-no-adaptive": lambda: AWL(AWLParams(warmup=0.99))}


def noisy_digits(rate: float, seed: int):
    return _noisy_digits(seed, rate)[0]


def curve(loss: str, rate: float, seed: int, epochs: int) -> dict:
    data = noisy_digits(rate, seed)
    trainer = Trainer(TrainingConfig(epochs=epochs, lr=1e-3, batch_size=64),
                      Task.CLASSIFICATION, seed, monitor=accuracy_monitor(data.x_test,
                                                                          data.y_test))
    start = time.perf_counter()
    if LOSSES[loss] is None:
        trainer.fit(mlp(seed), data.x_train, data.y_train)
    else:
        LOSSES[loss]().train(mlp(seed), data, trainer, DefenseContext(data.info, seed))
    acc = [r["test_accuracy"] for r in trainer.epoch_metrics]
    return {"loss": loss, "rate": rate, "seed": seed, "epochs": epochs,
            "test_accuracy": acc, **summarise(trainer.epoch_metrics),
            "seconds": time.perf_counter() - start}


CHECKPOINTS = (10, 20, 40)


def merge_runs(paths: list[Path], out: Path) -> str:
    runs = [r for p in paths if p.resolve() != out.resolve()
            for r in json.loads(p.read_text())["runs"]]
    runs.sort(key=lambda r: (-r["rate"], list(LOSSES).index(r["loss"]), r["seed"]))
    out.write_text(json.dumps({"protocol": __doc__.split("\n\n")[1], "runs": runs}, indent=1)
                   + "\n")
    head = " | ".join(f"epoch {e}" for e in CHECKPOINTS)
    lines = [f"| η, loss | seed | {head} | final (epoch 60) | best (epoch) |",
             "|---" * (len(CHECKPOINTS) + 4) + "|"]
    for r in runs:
        acc = r["test_accuracy"]
        marks = " | ".join(f"{100 * acc[e - 1]:.1f}" for e in CHECKPOINTS if e <= len(acc))
        lines.append(f"| {r['rate']}, {r['loss']} | {r['seed']} | {marks} | "
                     f"{100 * r['final']:.1f} | {100 * r['best']:.1f} ({r['best_epoch']}) |")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--rates", type=float, nargs="+", default=[0.6, 0.8])
    ap.add_argument("--seeds", type=int, nargs="+", default=[0])
    ap.add_argument("--epochs", type=int, default=60)
    ap.add_argument("--losses", nargs="+", default=list(LOSSES), choices=list(LOSSES))
    ap.add_argument("--out", type=Path, default=Path("benchmarks/results/label_noise_curve.json"))
    ap.add_argument("--summarise", type=Path, nargs="+", help="merge these run files")
    args = ap.parse_args()
    if args.summarise:
        print(merge_runs(args.summarise, args.out))
        return
    torch.set_num_threads(1)
    runs = []
    for rate in args.rates:
        for seed in args.seeds:
            for loss in args.losses:
                r = curve(loss, rate, seed, args.epochs)
                runs.append(r)
                print(f"eta {rate} seed {seed} {loss:4s} best {r['best']:.3f} at epoch "
                      f"{r['best_epoch']}, final {r['final']:.3f} ({r['seconds']:.0f} s)",
                      flush=True)
                args.out.parent.mkdir(parents=True, exist_ok=True)
                args.out.write_text(json.dumps({"protocol": __doc__.split("\n\n")[1],
                                                "runs": runs}, indent=1) + "\n")


if __name__ == "__main__":
    main()
