"""Adversarial training on digits: PGD-AT and self-distillation + AT against the undefended
model, PGD-10 at eps = 0.2 (L-inf, inputs in [0, 1]), over several seeds.

Needs robustkit-datasets, robustkit-vision-models, robustkit-classification-metrics,
robustkit-attacks (pgd), robustkit-adversarial-training and robustkit-distillation.

    python examples/adversarial_training_digits.py [--seeds 0 1 2] [--epochs 20]

Prints one row per seed and variant, then the mean over seeds; docs/plugins/
adversarial-training.md holds the measured table.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from robustkit import Pipeline

EPS = 0.2


def variants(eps: float, steps: int, clean_weight: float) -> dict[str, list[dict]]:
    at = {"attack": "pgd", "eps": eps, "steps": steps, "clean_weight": clean_weight}
    return {
        "undefended": [],
        "pgd-at": [{"name": "pgd-at", **at}],
        "self-distillation-at": [{"name": "self-distillation-at", **at}],
    }


def model_ref(args) -> dict:
    if args.model == "mlp":
        return {"name": "mlp", "hidden": [args.width, args.width]}
    return {"name": "small-cnn", "channels": args.width}


def run(name: str, defenses: list[dict], seed: int, args, store: Path) -> dict[str, float]:
    attack = {"name": "pgd", "eps": EPS, "steps": 10}
    t = time.perf_counter()
    result = Pipeline(
        dataset="digits", model=model_ref(args),
        defenses=defenses, perturbations=[attack], metrics=["accuracy"],
        training={"epochs": args.epochs, "lr": 0.002, "batch_size": 64}, seed=seed,
        store=store, cache=False,
    ).run()
    rows = {r.label: r.value for r in result.rows if r.metric == "accuracy"}
    robust = next(v for k, v in rows.items() if k.startswith("pgd"))
    return {"clean": rows["clean"], "robust": robust, "seconds": time.perf_counter() - t}


def sd(values: list[float]) -> float:
    return statistics.stdev(values) if len(values) > 1 else 0.0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument("--epochs", type=int, default=20)
    ap.add_argument("--model", choices=["mlp", "small-cnn"], default="mlp")
    ap.add_argument("--width", type=int, default=128, help="MLP hidden width / CNN channels")
    ap.add_argument("--train-steps", type=int, default=10, help="PGD steps inside training")
    ap.add_argument("--clean-weight", type=float, default=0.0)
    ap.add_argument("--only", nargs="*", default=None, help="run only these variants")
    args = ap.parse_args()
    table: dict[str, list[dict[str, float]]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        store = Path(tmp) / "r.db"
        for seed in args.seeds:
            for name, defenses in variants(EPS, args.train_steps, args.clean_weight).items():
                if args.only and name not in args.only:
                    continue
                r = run(name, defenses, seed, args, store)
                table.setdefault(name, []).append(r)
                print(f"seed {seed}  {name:22s} clean {r['clean']:.4f}  PGD-10 {r['robust']:.4f}"
                      f"  ({r['seconds']:.0f} s)", flush=True)
    print(f"\nmean over seeds {args.seeds} (eps = {EPS}, PGD-10, {model_ref(args)}, "
          f"{args.epochs} epochs, {args.train_steps} PGD steps in training, clean_weight "
          f"{args.clean_weight})")
    print("| variant | clean accuracy | PGD-10 robust accuracy |")
    print("|---|---|---|")
    for name, rs in table.items():
        c = [r["clean"] for r in rs]
        a = [r["robust"] for r in rs]
        print(f"| {name} | {statistics.mean(c):.4f} ± {sd(c):.4f} | "
              f"{statistics.mean(a):.4f} ± {sd(a):.4f} |")


if __name__ == "__main__":
    main()
