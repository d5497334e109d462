"""ISSA vs random search at equal budget, tuning a BiLSTM on a noisy Lorenz component; then
the tuned BiLSTM retrained and scored on the test split.

    OMP_NUM_THREADS=1 python benchmarks/timeseries_issa.py --seeds 0 1 2 --budget 20

Search space: units, layers, dropout, learning rate, window. The objective is the validation
MSE (last 20% of the training windows, chronological) after a short training; the test split
is used only for the final model of each search.
"""

from __future__ import annotations

import argparse
import statistics

import torch
from robustkit_timeseries.experiment import fit, load, score_test
from robustkit_timeseries.tuning import Dim, Space, issa, pipeline_objective, random_search

SPACE = Space([
    Dim("units", 4, 48, "int"),
    Dim("layers", 1, 2, "int"),
    Dim("dropout", 0.0, 0.5),
    Dim("lr", 3e-4, 3e-2, "log"),
    Dim("window", 4, 32, "int"),
])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument("--budget", type=int, default=20)
    ap.add_argument("--snr", type=float, default=20.0)
    ap.add_argument("--search-epochs", type=int, default=6)
    ap.add_argument("--final-epochs", type=int, default=30)
    args = ap.parse_args()
    torch.set_num_threads(1)
    ds = {"snr_db": args.snr, "length": 1000, "target": "x", "inputs": "all"}
    training = {"epochs": args.search_epochs, "batch_size": 32}
    found = {"issa": [], "random": []}
    for seed in args.seeds:
        objective = pipeline_objective("lorenz", "bilstm", dataset_params=ds,
                                       training=training, seed=0)
        for name, search in (("issa", issa), ("random", random_search)):
            res = search(objective, SPACE, args.budget, seed=seed)
            found[name].append(res)
            print(f"search seed {seed} {name:6s} best val MSE {res.best_value:.3e} "
                  f"{res.best_params}", flush=True)
    print("\n| search | best val MSE, mean ± sd | per seed | wins |")
    print("|---|---|---|---|")
    wins = sum(a.best_value < b.best_value for a, b in zip(found["issa"], found["random"],
                                                           strict=True))
    for name, rs in found.items():
        v = [r.best_value for r in rs]
        sd = statistics.stdev(v) if len(v) > 1 else 0.0
        w = wins if name == "issa" else len(v) - wins
        print(f"| {name} | {statistics.mean(v):.3e} ± {sd:.1e} | "
              + ", ".join(f"{x:.3e}" for x in v) + f" | {w}/{len(v)} |")
    # retrain the best ISSA configuration longer and score it on the test split
    best = min(found["issa"], key=lambda r: r.best_value).best_params
    p = dict(best)
    data = load("lorenz", {**ds, "window": p.pop("window")}, 0)
    lr = p.pop("lr")
    f = fit(data, "bilstm", p, {"epochs": args.final_epochs, "lr": lr, "batch_size": 32}, 0)
    s = score_test(f)
    print(f"\ntuned BiLSTM {best}: test " + " ".join(f"{k} {v:.4g}" for k, v in s.items()))


if __name__ == "__main__":
    main()
