"""Chaotic-oscillation RNN (Lee-oscillator units) vs a plain Elman RNN of equal size: test RMSE
as observation noise rises, on Mackey-Glass.

    OMP_NUM_THREADS=1 python benchmarks/timeseries_chaotic_rnn.py --seeds 0 1 2 \
        --plot docs/plugins/timeseries-rnn-noise.png

Both models are trained on the noise-free series, then scored on test windows with
``ts-noise`` added at each SNR (the robustkit perturbation), against the noise-free targets.
Degradation is RMSE(snr) / RMSE(clean).
"""

from __future__ import annotations

import argparse
import statistics

import torch
from robustkit_timeseries.experiment import fit, load, score_test

from robustkit.components import Kind
from robustkit.data import PerturbContext, make_generator
from robustkit.plugins import get_registry


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument("--snrs", type=float, nargs="+", default=[30, 20, 10, 5, 0])
    ap.add_argument("--hidden", type=int, default=16)
    ap.add_argument("--epochs", type=int, default=40)
    ap.add_argument("--train-snr", type=float, default=None)
    ap.add_argument("--plot", default=None, help="write a matplotlib PNG of the curves")
    args = ap.parse_args()
    torch.set_num_threads(1)
    models = {"rnn": {"hidden": args.hidden}, "chaotic-rnn": {"hidden": args.hidden}}
    noise = get_registry().get(Kind.PERTURBATION, "ts-noise")
    curves = {m: {snr: [] for snr in ["clean", *args.snrs]} for m in models}
    for seed in args.seeds:
        data = load("mackey-glass", {"snr_db": args.train_snr, "length": 1500}, seed)
        for name, params in models.items():
            f = fit(data, name, params, {"epochs": args.epochs, "lr": 0.005,
                                         "batch_size": 32}, seed)
            curves[name]["clean"].append(score_test(f)["rmse"])
            for snr in args.snrs:
                ctx = PerturbContext(info=data.info, seed=seed,
                                     generator=make_generator(seed, "ts-noise", str(snr)))
                x = noise.build({"snr_db": snr}).perturb(data.x_test, data.y_test, ctx)
                curves[name][snr].append(score_test(f, x)["rmse"])
            print(seed, name, {k: round(v[-1], 5) for k, v in curves[name].items()},
                  flush=True)
    cols = ["clean", *args.snrs]
    print("\n| model | " + " | ".join(f"{c} dB" if c != "clean" else c for c in cols) + " |")
    print("|---|" + "---|" * len(cols))
    for name in models:
        cells = []
        for c in cols:
            v = curves[name][c]
            sd = statistics.stdev(v) if len(v) > 1 else 0.0
            cells.append(f"{statistics.mean(v):.4f} ± {sd:.4f}")
        print(f"| {name} | " + " | ".join(cells) + " |")
    print("\ndegradation RMSE(snr) / RMSE(clean), mean over seeds:")
    for name in models:
        base = curves[name]["clean"]
        ratios = [statistics.mean(a / b for a, b in zip(curves[name][s], base, strict=True))
                  for s in args.snrs]
        print(name, " ".join(f"{s:g}dB:{r:.2f}" for s, r in zip(args.snrs, ratios,
                                                              strict=True)))
    params = {n: sum(p.numel() for p in fit(data, n, m, {"epochs": 0}, 0).model.parameters())
              for n, m in models.items()}
    print("parameters:", params)
    if args.plot:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots(figsize=(5, 3.5))
        for name in models:
            ys = [statistics.mean(curves[name][s]) for s in args.snrs]
            ax.plot(args.snrs, ys, marker="o", label=name)
        ax.set_xlabel("test SNR (dB)")
        ax.set_ylabel("test RMSE (scaled units)")
        ax.invert_xaxis()
        ax.set_title(f"Mackey-Glass, hidden={args.hidden}, {len(args.seeds)} seeds")
        ax.legend()
        fig.tight_layout()
        fig.savefig(args.plot, dpi=120)


if __name__ == "__main__":
    main()
