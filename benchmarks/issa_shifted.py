"""ISSA vs random search at equal budget on benchmark functions whose optimum is moved to a
random point of the box for every seed (so that a search biased toward the box's centre gains
nothing), for ISSA contracting about its best position (the default) and about the centre (the
former behaviour).

    python benchmarks/issa_shifted.py --seeds 60 --out benchmarks/results/issa_shifted.json

Search box [-5, 5]^5; the optimum of seed s is drawn uniformly in [-4, 4]^5 by
``numpy.random.default_rng(10_000 + s)``; "corner" rows draw it 3 to 4.5 from the centre in
every coordinate (random signs); "centred" rows keep the optimum the unit test used before
(near the middle of the box). Each search uses seed s. Torch-free, under a minute.
"""

from __future__ import annotations

import argparse
import json
import statistics
from pathlib import Path

import numpy as np
from robustkit_timeseries.tuning import Dim, Space, issa, random_search

DIMS = 5
SPACE = Space([Dim(f"x{i}", -5, 5) for i in range(DIMS)])
CENTRED = np.array([1.3, -2.1, 0.7, 3.0, -0.4])


def sphere(v: np.ndarray) -> float:
    return float((v**2).sum())


def rastrigin(v: np.ndarray) -> float:
    return float(10 * len(v) + (v**2 - 10 * np.cos(2 * np.pi * v)).sum())


def rosenbrock(v: np.ndarray) -> float:
    # shifted so that its minimum (at all ones) sits on the drawn optimum
    w = v + 1.0
    return float((100 * (w[1:] - w[:-1] ** 2) ** 2 + (1 - w[:-1]) ** 2).sum())


# ISSA as shipped, the former centre contraction, and each improvement switched off
VARIANTS: dict[str, dict] = {
    "issa": {},
    "issa-centre": {"contract_to": "centre"},
    "issa-uniform-init": {"init": "uniform"},
    "issa-fixed-share": {"producers_min": 0.5},
    "issa-no-mutation": {"mutate": False},
}

FUNCTIONS = {"sphere": sphere, "rastrigin": rastrigin, "rosenbrock": rosenbrock}


def optimum(seed: int, placement: str) -> np.ndarray:
    if placement == "centred":
        return CENTRED
    rng = np.random.default_rng(10_000 + seed)
    if placement == "corner":  # 3 to 4.5 from the centre in every coordinate, random signs
        return rng.uniform(3, 4.5, DIMS) * rng.choice([-1.0, 1.0], DIMS)
    return rng.uniform(-4, 4, DIMS)


def objective(fn, opt: np.ndarray):
    return lambda p: fn(np.array(list(p.values())) - opt)


def run(seeds: int, budgets: list[int]) -> list[dict]:
    rows = []
    for placement in ("random", "corner", "centred"):
        for name, fn in FUNCTIONS.items():
            for budget in budgets:
                best: dict[str, list[float]] = {k: [] for k in (*VARIANTS, "random")}
                for s in range(seeds):
                    f = objective(fn, optimum(s, placement))
                    for k, options in VARIANTS.items():
                        best[k].append(issa(f, SPACE, budget, seed=s, **options).best_value)
                    best["random"].append(random_search(f, SPACE, budget, seed=s).best_value)
                row = {"optimum": placement, "function": name, "budget": budget,
                       "seeds": seeds, "per_seed": best}
                for k, v in best.items():
                    row[f"{k}_mean"] = statistics.mean(v)
                    row[f"{k}_median"] = statistics.median(v)
                for k in VARIANTS:
                    row[f"{k}_wins"] = sum(a < b for a, b in zip(best[k], best["random"],
                                                                 strict=True))
                rows.append(row)
    return rows


def ablation_table(rows: list[dict]) -> str:
    names = [k for k in VARIANTS if k != "issa-centre"]
    lines = ["| function (optimum random, 30 trials) | " + " | ".join(names) + " | random |",
             "|---" * (len(names) + 2) + "|"]
    for r in rows:
        if r["optimum"] == "random" and r["budget"] == 30:
            lines.append(f"| {r['function']} | " + " | ".join(
                f"{r[k + '_mean']:.3g}" for k in [*names, "random"]) + " |")
    return "\n".join(lines)


def table(rows: list[dict]) -> str:
    lines = ["| optimum | function | trials | ISSA mean | ISSA (centre) mean | random mean | "
             "ISSA wins | ISSA (centre) wins |", "|---|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['optimum']} | {r['function']} | {r['budget']} | "
                     f"{r['issa_mean']:.3g} | {r['issa-centre_mean']:.3g} | "
                     f"{r['random_mean']:.3g} | {r['issa_wins']}/{r['seeds']} | "
                     f"{r['issa-centre_wins']}/{r['seeds']} |")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=60)
    ap.add_argument("--budgets", type=int, nargs="+", default=[20, 30])
    ap.add_argument("--out", type=Path, default=Path("benchmarks/results/issa_shifted.json"))
    args = ap.parse_args()
    rows = run(args.seeds, args.budgets)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"command": "python benchmarks/issa_shifted.py --seeds "
                                    f"{args.seeds}", "rows": rows}, indent=1) + "\n")
    print(table(rows))
    print()
    print(ablation_table(rows))


if __name__ == "__main__":
    main()
