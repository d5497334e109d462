"""The seed's four attacks (BIM, MIM, ZOO, AutoZOOM) against robustkit's distilled model.

The survey (shared/seeds/000_dd430c232d32689e.txt, ref. [8]) reports 84.26 % accuracy for a
defensively distilled model under BIM, MIM, ZOO and AutoZOOM. This script runs exactly those
four on digits against defensive distillation (T = 100, deployed at T = 1, Papernot et al.
2016), three ways:

- ``undefended``: the same MLP without distillation;
- ``distilled``: what the score attacks see is the deployed model's float32 softmax, which
  saturates (the runner-up's probability underflows to 0), so ZOO's log-probability loss
  meets its floor and its finite differences read 0;
- ``distilled, logits / T``: the same model seen through ``logit-temperature`` (T = 100; the
  same predictions): gradients and scores no longer saturate (Carlini & Wagner 2016).

The ``distilled`` runs use ``integrity = "escalate"``: the worst case the adaptive attacks find
is recorded next to each number.

    python benchmarks/distillation_seed_attacks.py [--samples 100] [--queries 2000]

Writes benchmarks/results/distillation_seed_attacks.json.
"""

from __future__ import annotations

import argparse
import json
import platform
import tempfile
import time
from pathlib import Path

import torch

from robustkit import Pipeline

RESULTS = Path(__file__).parent / "results" / "distillation_seed_attacks.json"
EPS = 0.2
T = 100.0
SEED_FIGURE = 0.8426


def attacks(queries: int) -> list[dict]:
    return [
        {"name": "bim", "eps": EPS, "steps": 10},
        {"name": "mim", "eps": EPS, "steps": 10},
        {"name": "zoo", "max_queries": queries},
        {"name": "autozoom", "max_queries": queries},
    ]


def saturation(cache: Path, key: str | None, args: argparse.Namespace) -> dict:
    """How saturated the deployed softmax is on the attacked digits: logit margins, and the
    share whose runner-up float32 probability is below the 1e-30 floor ZOO and AutoZOOM put
    under probabilities before the log (their loss is then constant: nothing to estimate)."""
    from robustkit.cache import ModelCache
    from robustkit.components import Kind
    from robustkit.plugins import get_registry

    reg = get_registry()
    data = reg.get(Kind.DATASET, "digits").build({}).load(args.seed)
    model = reg.get(Kind.MODEL, "mlp").build({"hidden": [128, 128]}).build(data.info)
    if key is None or not ModelCache(cache).load(key, model):
        return {}
    x = data.x_test[: args.samples]
    with torch.no_grad():
        logits = model.eval()(x)
    top2 = logits.topk(2, dim=1).values
    margin = top2[:, 0] - top2[:, 1]
    runner_up = torch.softmax(logits, dim=1).topk(2, dim=1).values[:, 1]
    return {"margin_median": float(margin.median()), "margin_min": float(margin.min()),
            "margin_max": float(margin.max()),
            "share_runner_up_below_1e-30": float((runner_up < 1e-30).float().mean()),
            "share_runner_up_exactly_0": float((runner_up == 0).float().mean())}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--samples", type=int, default=100, help="test digits attacked")
    ap.add_argument("--queries", type=int, default=2000, help="ZOO / AutoZOOM budget per digit")
    ap.add_argument("--epochs", type=int, default=30)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    distill = {"name": "defensive-distillation", "temperature": T}
    rows = {
        "undefended": ([], "flag"),
        "distilled": ([distill], "escalate"),
        "distilled, logits / T": ([distill, {"name": "logit-temperature", "temperature": T}],
                                  "flag"),
    }
    out: dict = {"eps": EPS, "temperature": T, "samples": args.samples,
                 "queries": args.queries, "epochs": args.epochs, "seed": args.seed,
                 "seed_figure": SEED_FIGURE, "torch": torch.__version__,
                 "machine": platform.machine(), "rows": {}}
    with tempfile.TemporaryDirectory() as tmp:
        for name, (defenses, integrity) in rows.items():
            t = time.perf_counter()
            r = Pipeline(dataset="digits", model={"name": "mlp", "hidden": [128, 128]},
                         defenses=defenses, perturbations=attacks(args.queries),
                         metrics=["accuracy", "attack-success-rate", "l2-distortion"],
                         training={"epochs": args.epochs, "lr": 0.01}, seed=args.seed,
                         eval_samples=args.samples, integrity_samples=args.samples,
                         integrity=integrity, store=Path(tmp) / "r.db",
                         cache=True, threads=1).run()
            cells = {}
            for label in r.labels():
                cells[label] = {m: r.value(m, label) for m in r.metrics()
                                if any(row.label == label and row.metric == m for row in r.rows)}
                cells[label]["flags"] = sorted({f.check for f in r.flags_for(label)})
            for e in r.escalations:
                cells[e.label]["worst_case"] = e.worst
                cells[e.label]["worst_case_attack"] = e.attack
            out["rows"][name] = {"cells": cells, "seconds": round(time.perf_counter() - t, 1)}
            if name == "distilled":
                out["saturation"] = saturation(Path(tmp) / "cache", r.fingerprint, args)
            print(name, json.dumps(cells, indent=1), flush=True)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(out, indent=1, sort_keys=True) + "\n")
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
