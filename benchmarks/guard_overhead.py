"""What the input guard costs: a component called directly next to the same call through
``robustkit.guard`` (copies of its tensor arguments, then a comparison with the originals).

Run: python benchmarks/guard_overhead.py [--repeats 20] [--threads 1]
Writes benchmarks/results/guard_overhead.json. Both calls run side by side in one process on
the same tensors, alternating, so the ratio holds on a loaded machine; the absolute times do not.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import time
from pathlib import Path

import torch

from robustkit import guard
from robustkit.components import DataInfo, Kind, Modality, Task
from robustkit.data import Evaluation, PerturbContext
from robustkit.plan import Resolved
from robustkit.plugins import get_registry

OUT = Path(__file__).parent / "results" / "guard_overhead.json"
SHAPES = {"digits 512x1x8x8": (1, 8, 8), "cifar 512x3x32x32": (3, 32, 32)}


def timed(fn, repeats: int) -> list[float]:
    out = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        out.append(time.perf_counter() - start)
    return out


def resolved(kind: Kind, name: str, **params) -> Resolved:
    from robustkit.config import ComponentRef

    spec = get_registry().get(kind, name)
    return Resolved(ComponentRef(name=name, params=params), spec, spec.validate_params(params))


def calls(info, model, x, y, ev) -> list[tuple]:
    """(label, direct call, guarded call) for two attacks and two metrics on one batch."""

    def ctx() -> PerturbContext:
        return PerturbContext(info=info, seed=0, generator=torch.Generator().manual_seed(0),
                              model=model)

    cases = []
    for name, params in (("fgsm", {"eps": 0.1}), ("pgd", {"eps": 0.1, "steps": 10})):
        r = resolved(Kind.PERTURBATION, name, **params)
        attack = r.build()
        cases.append((f"perturbation {name}", lambda a=attack: a.perturb(x, y, ctx()),
                       lambda a=attack, r=r: guard.call(r, "bench", a.perturb, x, y, ctx())))
    for name in ("accuracy", "macro-f1"):
        r = resolved(Kind.METRIC, name)
        metric = r.build()
        cases.append((f"metric {name}", lambda m=metric: m.compute(ev),
                       lambda m=metric, r=r: guard.call(r, "bench", m.compute, ev)))
    return cases


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    rows = []
    for shape_name, shape in SHAPES.items():
        info = DataInfo(Task.CLASSIFICATION, Modality.IMAGE, shape, (0.0, 1.0), 10)
        model = resolved(Kind.MODEL, "small-cnn").build().build(info).eval()
        gen = torch.Generator().manual_seed(0)
        x = torch.rand(512, *shape, generator=gen)
        y = torch.randint(0, 10, (512,), generator=gen)
        with torch.no_grad():
            out = model(x)
        cases = calls(info, model, x, y, Evaluation(y, out, x, x, out, info))
        for label, direct, guarded in cases:
            direct(), guarded()  # warm-up
            d, g = [], []
            for _ in range(args.repeats):  # alternate, so load hits both alike
                d += timed(direct, 1)
                g += timed(guarded, 1)
            rows.append({"shape": shape_name, "call": label,
                         "direct_ms": 1000 * statistics.median(d),
                         "guarded_ms": 1000 * statistics.median(g),
                         "overhead": statistics.median(g) / statistics.median(d) - 1})
            print(f"{shape_name:20s} {label:24s} direct {rows[-1]['direct_ms']:8.2f} ms  "
                  f"guarded {rows[-1]['guarded_ms']:8.2f} ms  overhead "
                  f"{100 * rows[-1]['overhead']:+.1f} %")
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps({
        "script": "benchmarks/guard_overhead.py", "repeats": args.repeats,
        "threads": args.threads, "torch": torch.__version__, "machine": platform.machine(),
        "note": "measured on a shared, loaded 2-core machine; read the ratios",
        "rows": rows}, indent=2))
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
