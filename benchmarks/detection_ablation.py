"""Seeded ablation of the sprout detector's modules (baseline, +EIE, +CPCA, +CARAFE, all three)
on the tea-sprouts data set, clean and corrupted. Writes one JSON per (variant, seed) to --out
and, with --summarise, a Markdown table of means and per-seed differences.

    python benchmarks/detection_ablation.py --seeds 0 1 2 3 --out benchmarks/results/detection
    python benchmarks/detection_ablation.py --summarise --out benchmarks/results/detection

Needs robustkit-detection and robustkit-corruptions (for gaussian-noise-c).
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

VARIANTS = {
    "baseline": {"eie": False, "cpca": False, "carafe": False},
    "+EIE": {"eie": True, "cpca": False, "carafe": False},
    "+CPCA": {"eie": False, "cpca": True, "carafe": False},
    "+CARAFE": {"eie": False, "cpca": False, "carafe": True},
    "all three": {"eie": True, "cpca": True, "carafe": True},
}
TRAINING = {"epochs": 20, "lr": 0.003, "batch_size": 32}
CORRUPTIONS = [
    {"name": "gaussian-noise-c", "severity": 3},
    {"name": "occlusion-patches", "severity": 3},
    {"name": "lighting-change", "severity": 3},
]
ATTACK = {"name": "detection-pgd", "eps": 2 / 255, "steps": 5}
METRICS = ["map50", "map50-95", "box-precision", "box-recall"]


def run_one(variant: str, seed: int, out: Path, threads: int) -> dict:
    from robustkit import Pipeline

    started = time.perf_counter()
    result = Pipeline(
        dataset="tea-sprouts", model={"name": "sprout-detector", **VARIANTS[variant]},
        perturbations=[*CORRUPTIONS, ATTACK], metrics=METRICS, training=TRAINING, seed=seed,
        threads=threads, cache=False, store=out / "runs.db",
    ).run()
    record = {"variant": variant, "seed": seed, "rows": result.table(),
              "train_s": result.timings.get("train"),
              "total_s": round(time.perf_counter() - started, 1)}
    path = out / f"{variant.replace(' ', '_').replace('+', 'plus')}-{seed}.json"
    path.write_text(json.dumps(record, indent=1))
    return record


def _clean_and_corrupted(rows: list[dict], metric: str) -> tuple[float, float, float]:
    by = {r["perturbation"]: r for r in rows}
    clean = by["clean"][metric]
    corrupted = statistics.mean(
        r[metric] for k, r in by.items() if k != "clean" and not k.startswith("detection-pgd"))
    attacked = next(r[metric] for k, r in by.items() if k.startswith("detection-pgd"))
    return clean, corrupted, attacked


def summarise(out: Path) -> str:
    records = [json.loads(p.read_text()) for p in sorted(out.glob("*.json"))]
    # only seeds with every variant, so that each mean is over the same seeds
    seeds = sorted(s for s in {r["seed"] for r in records}
                   if {r["variant"] for r in records if r["seed"] == s} >= set(VARIANTS))
    partial = sorted({r["seed"] for r in records} - set(seeds))
    records = [r for r in records if r["seed"] in seeds]
    lines = [f"seeds: {seeds}; mean over seeds (min-max in brackets)"
             + (f"; left out (not every variant finished): {partial}" if partial else ""), "",
             "| variant | P | R | mAP@0.5 clean | mAP@0.5:0.95 clean | mAP@0.5 corrupted "
             "| mAP@0.5 PGD | train s |", "|---|---|---|---|---|---|---|---|"]

    # every number the tables show, written next to the per-seed records so that
    # tests/test_docs_tables.py can check the docs against it
    summary: dict = {"seeds": seeds, "variants": {}, "per_perturbation": {}, "minus_baseline": {}}

    def cell(values: list[float | None]) -> str:
        values = [v for v in values if v is not None]  # None: undefined (no detections)
        if not values:
            return "n/a"
        summary["variants"].setdefault(variant, []).append(
            {"mean": statistics.mean(values), "min": min(values), "max": max(values)})
        return f"{statistics.mean(values):.3f} ({min(values):.3f}-{max(values):.3f})"

    base = {}
    for variant in VARIANTS:
        rs = [r for r in records if r["variant"] == variant]
        if not rs:
            continue
        cols = {"p": [], "r": [], "clean": [], "c95": [], "corr": [], "pgd": [], "t": []}
        for r in rs:
            clean, corr, pgd = _clean_and_corrupted(r["rows"], "map50")
            clean_row = next(x for x in r["rows"] if x["perturbation"] == "clean")
            cols["p"].append(clean_row["box-precision"])
            cols["r"].append(clean_row["box-recall"])
            cols["clean"].append(clean)
            cols["c95"].append(clean_row["map50-95"])
            cols["corr"].append(corr)
            cols["pgd"].append(pgd)
            cols["t"].append(r["train_s"])
            if variant == "baseline":
                base[r["seed"]] = (clean, corr)
        lines.append(f"| {variant} | " + " | ".join(cell(cols[k]) for k in
                     ("p", "r", "clean", "c95", "corr", "pgd")) +
                     f" | {statistics.median(cols['t']):.0f} |")
        summary["variants"].setdefault(variant, []).append(
            {"train_s_median": statistics.median(cols["t"])})
    labels = [k for k in (records[0]["rows"] if records else []) if k]
    names = [row["perturbation"] for row in labels if row["perturbation"] != "clean"]
    lines += ["", "mAP@0.5 under each perturbation (mean over seeds):", "",
              "| variant | " + " | ".join(names) + " |", "|---" * (len(names) + 1) + "|"]
    for variant in VARIANTS:
        rs = [r for r in records if r["variant"] == variant]
        if rs:
            means = [statistics.mean(next(x["map50"] for x in r["rows"]
                                          if x["perturbation"] == n) for r in rs) for n in names]
            lines.append(f"| {variant} | " + " | ".join(f"{m:.3f}" for m in means) + " |")
            summary["per_perturbation"][variant] = dict(zip(names, means, strict=True))
    lines += ["", "minus baseline, per seed (mAP@0.5 points, clean / corrupted):", ""]
    for variant in list(VARIANTS)[1:]:
        diffs = []
        for r in sorted(records, key=lambda r: r["seed"]):
            if r["variant"] != variant or r["seed"] not in base:
                continue
            clean, corr, _ = _clean_and_corrupted(r["rows"], "map50")
            b_clean, b_corr = base[r["seed"]]
            diffs.append(f"seed {r['seed']}: {100 * (clean - b_clean):+.1f} / "
                         f"{100 * (corr - b_corr):+.1f}")
            summary["minus_baseline"].setdefault(variant, []).append(
                {"seed": r["seed"], "clean_points": 100 * (clean - b_clean),
                 "corrupted_points": 100 * (corr - b_corr)})
        if diffs:
            lines.append(f"- {variant}: " + "; ".join(diffs))
    (out.parent / f"{out.name}_summary.json").write_text(json.dumps(summary, indent=1) + "\n")
    return "\n".join(lines)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, nargs="*", default=[0, 1, 2])
    ap.add_argument("--variants", nargs="*", default=list(VARIANTS))
    ap.add_argument("--out", type=Path, default=Path("benchmarks/results/detection"))
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--summarise", action="store_true")
    args = ap.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    if args.summarise:
        print(summarise(args.out))
        return
    for seed in args.seeds:
        for variant in args.variants:
            rec = run_one(variant, seed, args.out, args.threads)
            clean, corr, pgd = _clean_and_corrupted(rec["rows"], "map50")
            print(f"{variant:10s} seed {seed}: mAP@0.5 clean {clean:.3f} corrupted {corr:.3f} "
                  f"pgd {pgd:.3f} (train {rec['train_s']:.0f} s)", flush=True)


if __name__ == "__main__":
    main()
