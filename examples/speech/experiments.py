"""The measured claims of docs/plugins/speech.md, through the public Pipeline API.

    OMP_NUM_THREADS=1 python examples/speech/experiments.py weight-noise --seeds 0 1 2 3 4
    OMP_NUM_THREADS=1 python examples/speech/experiments.py bidirectional --seeds 0 1 2

Each run appends one JSON line per (variant, seed) to --out, so an interrupted sweep keeps what
it finished; ``summary`` prints mean and spread (sample std, min, max) per variant and setting.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path

import torch

from robustkit import Pipeline

DATA = {"name": "synthetic-phones"}
NOISY = [{"name": "feature-noise", "snr_db": [10, 5]}]
METRICS = ["frame-error-rate", "phone-error-rate"]


def run(model: dict, defenses: list, seed: int, epochs: int, perturbations: list) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        start = time.perf_counter()
        result = Pipeline(
            dataset=DATA, model=model, defenses=defenses, perturbations=perturbations,
            metrics=METRICS, seed=seed, threads=1, cache=False,
            training={"epochs": epochs, "lr": 0.01, "batch_size": 16},
            store=Path(tmp) / "r.db",
        ).run()
        seconds = time.perf_counter() - start
    values = {f"{r.metric}@{r.label}": r.value for r in result.rows}
    return {"seconds": round(seconds, 1), **values}


def equal_params_hidden(bi_hidden: int, layers: int, n_features: int, n_out: int) -> int:
    """The unidirectional width whose LSTM + output layer has the bidirectional model's size."""
    from robustkit_speech.models import DBLSTMNet, parameter_count
    from robustkit_speech.params import DBLSTMParams

    def size(h: int, bi: bool) -> int:
        p = DBLSTMParams(hidden=h, layers=layers, bidirectional=bi)
        return parameter_count(DBLSTMNet(n_features, n_out, p))

    target = size(bi_hidden, True)
    return min(range(1, 4 * bi_hidden), key=lambda h: abs(size(h, False) - target))


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("experiment", choices=["weight-noise", "bidirectional", "summary"])
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument("--epochs", type=int, default=25)
    ap.add_argument("--hidden", type=int, default=32)
    ap.add_argument("--sigma", type=float, default=0.075)
    ap.add_argument("--variants", nargs="+", default=None)
    ap.add_argument("--out", default="speech-results.jsonl")
    args = ap.parse_args(argv)
    torch.set_num_threads(1)
    out = Path(args.out)
    if args.experiment == "summary":
        return summary(out)
    base = {"name": "dblstm", "hidden": args.hidden, "layers": 2}
    if args.experiment == "weight-noise":
        variants = {
            "dblstm": (base, []),
            f"dblstm+weight-noise({args.sigma})": (
                base, [{"name": "weight-noise", "sigma": args.sigma}]),
        }
        perturbations = NOISY
    else:
        uni = equal_params_hidden(args.hidden, 2, 20, 17)
        variants = {
            f"bidirectional(h={args.hidden})": (base, []),
            f"unidirectional(h={uni})": ({**base, "hidden": uni, "bidirectional": False}, []),
        }
        perturbations = []
    for seed in args.seeds:
        for name, (model, defenses) in variants.items():
            if args.variants and name not in args.variants:
                continue
            row = {"experiment": args.experiment, "variant": name, "seed": seed,
                   "epochs": args.epochs, **run(model, defenses, seed, args.epochs,
                                                 perturbations)}
            print(json.dumps(row), flush=True)
            with out.open("a") as fh:
                fh.write(json.dumps(row) + "\n")


def summary(path: Path) -> None:
    rows = [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
    groups: dict[tuple, list[dict]] = {}
    for r in rows:
        groups.setdefault((r["experiment"], r["variant"], r["epochs"]), []).append(r)
    for (exp, variant, epochs), rs in sorted(groups.items()):
        keys = sorted(k for k in rs[0] if "@" in k)
        print(f"{exp} / {variant} / {epochs} epochs / seeds {sorted(r['seed'] for r in rs)}")
        for k in keys:
            vals = [100 * r[k] for r in rs if r.get(k) is not None]
            if not vals:
                continue
            sd = statistics.stdev(vals) if len(vals) > 1 else 0.0
            print(f"  {k:45s} {statistics.mean(vals):6.2f} ± {sd:5.2f} %  "
                  f"[{min(vals):.2f}, {max(vals):.2f}]")
    paired(groups)


def paired(groups: dict[tuple, list[dict]]) -> None:
    """Per-seed differences (second variant minus first) of each experiment and budget."""
    by_exp: dict[tuple, list[tuple[str, list[dict]]]] = {}
    for (exp, variant, epochs), rs in groups.items():
        by_exp.setdefault((exp, epochs), []).append((variant, rs))
    for (exp, epochs), variants in sorted(by_exp.items()):
        if len(variants) != 2:
            continue
        order = {"weight-noise": lambda v: "weight-noise" in v,
                 "bidirectional": lambda v: v.startswith("bidirectional")}[exp]
        (base, a), (other, b) = sorted(variants, key=lambda kv: order(kv[0]))
        seeds = sorted({r["seed"] for r in a} & {r["seed"] for r in b})
        if not seeds:
            continue
        print(f"paired {exp} / {epochs} epochs: {other} minus {base}, seeds {seeds}")
        ra = {r["seed"]: r for r in a}
        rb = {r["seed"]: r for r in b}
        for k in sorted(k for k in a[0] if "@" in k):
            d = [100 * (rb[s][k] - ra[s][k]) for s in seeds
                 if rb[s].get(k) is not None and ra[s].get(k) is not None]
            if not d:
                continue
            sd = statistics.stdev(d) if len(d) > 1 else 0.0
            better = sum(x < 0 for x in d)
            print(f"  {k:45s} {statistics.mean(d):+6.2f} ± {sd:5.2f} points, lower on "
                  f"{better}/{len(d)} seeds")


if __name__ == "__main__":
    sys.exit(main())
