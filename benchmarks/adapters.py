"""The adapters' cost: robustkit's ``pgd`` vs ``art-pgd`` vs ``ta-pgd`` inside a pipeline on
the same cached model, and what the MLflow exporter adds to a run.

    pip install --no-deps -r benchmarks/requirements-peers.txt   # torchattacks, never torchvision
    pip install -r requirements-dev.txt       # robustkit-art, -torchattacks and -mlflow included
    OMP_NUM_THREADS=1 python benchmarks/adapters.py --repeats 5

Attack timings are the pipeline's own ``evaluate:<label>`` stage times (perturb + predict, all
test samples), median over ``--repeats`` runs after the model is cached; the robust accuracy of
each is printed beside it. The exporter's cost is the wall time of ``Pipeline.run()`` with
``ROBUSTKIT_MLFLOW`` on vs off (export runs on a background thread; the time it takes there is
reported separately). Results go to stdout as Markdown (docs/benchmarks.md quotes them).
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

from robustkit import Pipeline

EPS, STEP, STEPS = 0.1, 0.025, 10
ATTACKS = {
    "pgd (robustkit, evaluate mode)": {"name": "pgd", "eps": EPS, "alpha": STEP, "steps": STEPS,
                                       "random_start": False},
    "pgd (robustkit, generate mode)": {"name": "pgd", "eps": EPS, "alpha": STEP, "steps": STEPS,
                                       "random_start": False, "mode": "generate"},
    "art-pgd": {"name": "art-pgd", "eps": EPS, "eps_step": STEP, "max_iter": STEPS},
    "ta-pgd": {"name": "ta-pgd", "eps": EPS, "alpha": STEP, "steps": STEPS,
               "random_start": False},
}


def _pipeline(store: Path, perturbations: list) -> Pipeline:
    return Pipeline(dataset="digits", model="small-cnn", perturbations=perturbations,
                    metrics=["accuracy"], training={"epochs": 10}, store=store, threads=1,
                    integrity=False)


def attacks(store: Path, repeats: int) -> None:
    from robustkit.config import ComponentRef

    entries = list(ATTACKS.values())
    labels = {k: ComponentRef(name=v["name"], params={a: b for a, b in v.items()
                                                      if a != "name"}).label()
              for k, v in ATTACKS.items()}
    _pipeline(store, entries).run()  # trains and caches the model; warms every import
    times: dict[str, list[float]] = {k: [] for k in ATTACKS}
    acc: dict[str, float] = {}
    clean = 0.0
    for _ in range(repeats):
        result = _pipeline(store, entries).run()
        for k, label in labels.items():
            times[k].append(result.timings[f"evaluate:{label}"])
            acc[k] = result.value("accuracy", label)
        clean = result.value("accuracy")
    base = statistics.median(times["pgd (robustkit, generate mode)"])
    print(f"digits / small-cnn, {STEPS} L-inf steps of {STEP}, eps {EPS}, no random start; "
          f"clean accuracy {clean:.4f}\n")
    print("| attack | robust accuracy | evaluation stage, s (median) | vs robustkit generate |")
    print("|---|---|---|---|")
    for k in ATTACKS:
        med = statistics.median(times[k])
        print(f"| {k} | {acc[k]:.4f} | {med:.3f} | {med / base:.2f}x |")


def exporter(store: Path, repeats: int) -> None:
    import robustkit_mlflow

    walls: dict[str, list[float]] = {"off": [], "on": []}
    exports = []
    pipe = _pipeline(store, [ATTACKS["pgd (robustkit, evaluate mode)"]])
    pipe.run()
    for _ in range(repeats):
        for mode in ("off", "on"):
            os.environ["ROBUSTKIT_MLFLOW"] = mode
            t = time.perf_counter()
            pipe.run()
            walls[mode].append(time.perf_counter() - t)
            t = time.perf_counter()
            robustkit_mlflow.flush()
            if mode == "on":
                exports.append(time.perf_counter() - t + 0.0)
    off, on = statistics.median(walls["off"]), statistics.median(walls["on"])
    print("\n| Pipeline.run() (cached model) | median s |")
    print("|---|---|")
    print(f"| exporter off | {off:.3f} |")
    print(f"| exporter on | {on:.3f} ({on / off:.2f}x) |")
    print(f"| background export still running after run() returned | "
          f"{statistics.median(exports):.3f} |")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeats", type=int, default=5)
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["ROBUSTKIT_MLFLOW"] = "off"
        os.environ.setdefault("ROBUSTKIT_MLFLOW_URI", f"sqlite:///{tmp}/ml/mlflow.db")
        attacks(Path(tmp) / "r.db", args.repeats)
        exporter(Path(tmp) / "r.db", args.repeats)


if __name__ == "__main__":
    main()
