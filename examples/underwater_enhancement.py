"""The numbers of docs/plugins/underwater.md: the enhancer against classical baselines on
held-out underwater patches, and the enhancer in front of a classifier under water.

    OMP_NUM_THREADS=1 python examples/underwater_enhancement.py --store uw/results.db
    robustkit report --store uw/results.db --metric psnr.output --out uw/report

Prints two Markdown tables. Every run is seeded; torch uses one thread.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from robustkit import Pipeline

METHODS = ["gray-world", "clahe", "dark-channel-prior", "underwater-enhancer"]
QUALITY = ["psnr", "ssim", "uiqm", "entropy", "feature-matches"]
DEFENSES = [None, "gray-world", "clahe", "dark-channel-prior", "underwater-enhancer"]
SEVERITIES = [1, 3, 5]


def enhancement_table(store: Path, seed: int, epochs: int) -> str:
    rows = {}
    for method in METHODS:
        r = Pipeline(dataset="underwater-pairs", model=method, metrics=QUALITY, seed=seed,
                     training={"epochs": epochs, "lr": 0.005, "batch_size": 32}, threads=1,
                     store=store, name=f"enhance-{method}").run()
        rows[method] = {m: r.value(f"{m}.output") for m in QUALITY}
        rows["degraded input"] = {m: r.value(f"{m}.input") for m in QUALITY}
    lines = ["| images | PSNR (dB) | SSIM | UIQM | entropy (bits) | verified ORB matches |",
             "|---|---|---|---|---|---|"]
    for name in ["degraded input", *METHODS]:
        v = rows[name]
        lines.append(f"| {name} | {v['psnr']:.2f} | {v['ssim']:.3f} | {v['uiqm']:.3f} | "
                     f"{v['entropy']:.3f} | {v['feature-matches']:.1f} |")
    return "\n".join(lines)


def classifier_table(store: Path, seed: int, epochs: int) -> str:
    labels = ["clean"] + [f"underwater[severity={s}]" for s in SEVERITIES]
    lines = ["| defense in front of small-cnn | clean | " +
             " | ".join(f"severity {s}" for s in SEVERITIES) + " |",
             "|---|" + "---|" * len(labels)]
    for defense in DEFENSES:
        defenses = [] if defense is None else [
            {"name": defense, "epochs": epochs} if defense == "underwater-enhancer"
            else defense]
        r = Pipeline(dataset="color-digits", model="small-cnn", defenses=defenses,
                     perturbations=[{"name": "underwater", "severity": SEVERITIES}],
                     metrics=["accuracy"], training={"epochs": 20, "lr": 0.002}, seed=seed,
                     threads=1, store=store, name=f"classify-{defense or 'none'}").run()
        lines.append(f"| {defense or 'none'} | " +
                     " | ".join(f"{r.value('accuracy', lab):.3f}" for lab in labels) + " |")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--store", type=Path, default=Path("uw/results.db"))
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--epochs", type=int, default=30, help="enhancer training epochs")
    ap.add_argument("--part", choices=["all", "enhance", "classify"], default="all")
    args = ap.parse_args()
    args.store.parent.mkdir(parents=True, exist_ok=True)
    if args.part in ("all", "enhance"):
        print(enhancement_table(args.store, args.seed, args.epochs), end="\n\n")
    if args.part in ("all", "classify"):
        print(classifier_table(args.store, args.seed, args.epochs))


if __name__ == "__main__":
    main()
