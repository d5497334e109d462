"""Defensive distillation is not robust (Carlini & Wagner 2016), reproduced on digits.

Defensive distillation at T = 100 (Papernot et al. 2016), deployed at T = 1, against FGSM and
PGD-10 at eps = 0.2 (L-inf), C&W L2, and FGSM/PGD on the logits divided by T (the
``logit-temperature`` model wrapper). The integrity checks flag the zero input gradients.

Needs robustkit-datasets, robustkit-vision-models, robustkit-classification-metrics,
robustkit-attacks (fgsm, pgd), robustkit-optim-attacks (cw-l2) and robustkit-distillation.

    python examples/distillation_is_not_robust.py [--seeds 0] [--samples 200]
"""

from __future__ import annotations

import argparse
import re
import tempfile
from pathlib import Path

from robustkit import Pipeline

EPS = 0.2
T = 100.0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, nargs="+", default=[0])
    ap.add_argument("--samples", type=int, default=200, help="test samples attacked")
    ap.add_argument("--epochs", type=int, default=30)
    args = ap.parse_args()
    gradient = [{"name": "fgsm", "eps": EPS}, {"name": "pgd", "eps": EPS, "steps": 10}]
    cw = {"name": "cw-l2", "binary_search_steps": 5, "max_iterations": 200}
    distill = {"name": "defensive-distillation", "temperature": T}
    runs = {
        "undefended": ([], gradient + [cw]),
        f"distilled, T = {T:g}, deployed at T = 1": ([distill], gradient + [cw]),
        "distilled, attacked on logits / T": (
            [distill, {"name": "logit-temperature", "temperature": T}], gradient),
    }
    with tempfile.TemporaryDirectory() as tmp:
        for seed in args.seeds:
            print(f"\nseed {seed}: mlp (128, 128) on digits, {args.epochs} epochs, "
                  f"{args.samples} test samples attacked")
            print("| model | clean | FGSM ε=0.2 | PGD-10 ε=0.2 | C&W L2 (acc / success / "
                  "median L2) | zero input gradients | integrity flags |")
            print("|---|---|---|---|---|---|---|")
            for name, (defenses, perts) in runs.items():
                r = Pipeline(
                    dataset="digits", model={"name": "mlp", "hidden": [128, 128]},
                    defenses=defenses, perturbations=perts,
                    metrics=["accuracy", "attack-success-rate", "l2-distortion"],
                    training={"epochs": args.epochs, "lr": 0.01}, seed=seed,
                    eval_samples=args.samples, integrity_samples=args.samples,
                    store=Path(tmp) / "r.db", cache=False,
                ).run()
                acc = {row.label: row.value for row in r.rows if row.metric == "accuracy"}
                val = {(row.label, row.metric): row.value for row in r.rows}
                fg = next(v for k, v in acc.items() if k.startswith("fgsm"))
                pg = next(v for k, v in acc.items() if k.startswith("pgd"))
                cw_label = next((k for k in acc if k.startswith("cw-l2")), None)
                cw_text = "—"
                if cw_label:
                    sr = val.get((cw_label, "attack-success-rate"))
                    med = val.get((cw_label, "l2-distortion.median"))
                    cw_text = (f"{acc[cw_label]:.3f} / {sr if sr is None else f'{sr:.3f}'} / "
                               f"{med if med is None else f'{med:.3f}'}")
                zero = "≤ 10% (no flag)"
                checks = sorted({f.check for f in r.flags})
                for f in r.flags:
                    m = re.match(r"([\d.]+%) of test inputs have an input gradient", f.message)
                    if m:
                        zero = m.group(1)
                print(f"| {name} | {acc['clean']:.3f} | {fg:.3f} | {pg:.3f} | {cw_text} | "
                      f"{zero} | {', '.join(checks) or 'none'} |", flush=True)


if __name__ == "__main__":
    main()
