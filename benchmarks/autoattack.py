"""AutoAttack side by side: robustkit's ``auto-attack`` vs torchattacks' and ART's AutoAttack,
in one process, on the same adversarially trained digits CNN and the same test samples.

    pip install --no-deps -r benchmarks/requirements-peers.txt   # peers, never torchvision
    OMP_NUM_THREADS=1 python benchmarks/autoattack.py --n 200

The model is the default pipeline's small-cnn trained on digits with PGD adversarial training
(Madry et al. 2018: 7-step PGD at the evaluation eps, every batch). Rows:

- robustkit auto-attack, the reference budgets (APGD 100 iterations, APGD-T 9 targets,
  Square 5000 queries; no FAB-T), and with torchattacks' default 10 steps;
- torchattacks ``AutoAttack`` as shipped (its APGD, APGD-T and FAB-T run 10 steps) and
  torchattacks' ensemble rebuilt at the reference budgets (100 steps, FAB-T included);
- ART ``AutoAttack`` as shipped (a different ensemble: APGD-CE and APGD-DLR with 5 restarts,
  DeepFool, Square with 5 restarts);
- PGD-10 and PGD-100 (robustkit) as the baseline the ensemble must not be weaker than.

Each row: robust accuracy and throughput (samples per second, one timed run: these runs take
seconds to minutes). Raw results: benchmarks/results/autoattack-n{n}-q{queries}.json.
``--queries`` below 5000 also lowers the Square budget inside torchattacks' "as shipped"
ensemble (rebuilt with its own classes and defaults) and ART's, so every row has the same
Square budget.
"""

from __future__ import annotations

import argparse
import json
import platform
import time
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

RESULTS = Path(__file__).parent / "results"
STAGES: dict[str, dict] = {}  # robustkit's per-stage seconds and counts, filled by its rows


def robust_digits_cnn(eps: float, epochs: int, seed: int = 0):
    """small-cnn on digits, PGD-trained; returns (model, x_test, y_test)."""
    from robustkit_attacks import pgd

    from robustkit.components import Kind
    from robustkit.plugins import get_registry

    reg = get_registry()
    data = reg.get(Kind.DATASET, "digits").build({}).load(seed)
    torch.manual_seed(seed)
    model = reg.get(Kind.MODEL, "small-cnn").build({}).build(data.info)
    opt = torch.optim.Adam(model.parameters(), lr=2e-3)
    gen = torch.Generator().manual_seed(seed)
    x, y = data.x_train, data.y_train
    for _ in range(epochs):
        order = torch.randperm(x.shape[0], generator=gen)
        for i in range(0, x.shape[0], 64):
            idx = order[i:i + 64]
            xa = pgd(model, x[idx], y[idx], eps=eps, steps=7, generator=gen)
            model.train()
            loss = F.cross_entropy(model(xa), y[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
    return model.eval(), data.x_test, data.y_test


def accuracy(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> float:
    with torch.no_grad():
        return float((model(x).argmax(1) == y).float().mean())


def timed(fn):
    t = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t


def runners(model, x, y, eps, queries):
    from robustkit_attacks import pgd
    from robustkit_attacks.autoattack import AutoAttack

    def ours(steps):
        def run():
            res = AutoAttack(eps=eps, steps=steps, square_queries=queries).run(
                model, x, y, generator=torch.Generator().manual_seed(0))
            STAGES[f"steps={steps}"] = {"seconds": res.seconds, "counts": res.counts()}
            return res.x_adv
        return run

    rows = {
        "robustkit pgd-10": lambda: pgd(model, x, y, eps=eps, steps=10, early_stop=True,
                                        generator=torch.Generator().manual_seed(0)),
        "robustkit pgd-100": lambda: pgd(model, x, y, eps=eps, steps=100, early_stop=True,
                                         generator=torch.Generator().manual_seed(0)),
        "robustkit auto-attack (reference budgets)": ours(100),
        "robustkit auto-attack (10 steps)": ours(10),
    }
    try:
        import torchattacks as ta
    except ImportError:
        return rows
    if queries == 5000:
        rows["torchattacks AutoAttack (as shipped: 10 steps)"] = lambda: ta.AutoAttack(
            model, eps=eps, n_classes=10, seed=0)(x, y)
    else:  # what ta.AutoAttack builds (default steps = 10), with this Square budget
        shipped = ta.MultiAttack([
            ta.APGD(model, eps=eps, loss="ce", n_restarts=1, seed=0),
            ta.APGDT(model, eps=eps, n_classes=10, n_restarts=1, seed=0),
            ta.FAB(model, eps=eps, multi_targeted=True, n_classes=10, n_restarts=1, seed=0),
            ta.Square(model, eps=eps, n_queries=queries, n_restarts=1, seed=0),
        ])
        rows["torchattacks AutoAttack (as shipped: 10 steps)"] = lambda: shipped(x, y)
    reference = ta.MultiAttack([
        ta.APGD(model, eps=eps, steps=100, loss="ce", n_restarts=1, seed=0),
        ta.APGDT(model, eps=eps, steps=100, n_classes=10, n_restarts=1, seed=0),
        ta.FAB(model, eps=eps, steps=100, multi_targeted=True, n_classes=10, n_restarts=1,
               seed=0),
        ta.Square(model, eps=eps, n_queries=queries, n_restarts=1, seed=0),
    ])
    rows["torchattacks ensemble (reference budgets)"] = lambda: reference(x, y)
    try:
        from art.attacks.evasion import AutoAttack as ArtAutoAttack
        from art.estimators.classification import PyTorchClassifier
    except ImportError:
        return rows
    clf = PyTorchClassifier(model=model, loss=nn.CrossEntropyLoss(), nb_classes=10,
                            input_shape=tuple(x.shape[1:]), clip_values=(0.0, 1.0))
    art = ArtAutoAttack(clf, norm=np.inf, eps=eps, eps_step=eps / 4, batch_size=x.shape[0])
    if queries != 5000:  # ART's default list, its Square at this budget (5 restarts kept)
        from art.attacks.evasion import SquareAttack

        art.attacks[-1] = SquareAttack(estimator=clf, norm=np.inf, max_iter=queries, eps=eps,
                                       p_init=0.8, nb_restarts=5)
    rows["ART AutoAttack (as shipped)"] = lambda: torch.from_numpy(
        art.generate(x.numpy(), y=y.numpy()))
    return rows


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=200, help="test samples attacked")
    ap.add_argument("--eps", type=float, default=0.1)
    ap.add_argument("--epochs", type=int, default=10, help="PGD-AT epochs")
    ap.add_argument("--queries", type=int, default=5000, help="Square queries (reference 5000)")
    ap.add_argument("--skip", nargs="*", default=[], help="row names (substrings) to skip")
    args = ap.parse_args()
    torch.manual_seed(0)
    (model, x, y), train_s = timed(lambda: robust_digits_cnn(args.eps, args.epochs))
    x, y = x[:args.n].contiguous(), y[:args.n]
    result = {"n": args.n, "eps": args.eps, "square_queries": args.queries,
              "pgd_at_epochs": args.epochs, "train_seconds": train_s,
              "clean_accuracy": accuracy(model, x, y), "torch": torch.__version__,
              "threads": torch.get_num_threads(), "machine": platform.machine(),
              "note": "2 shared CPU cores, loaded by other jobs", "rows": {}}
    print(f"clean accuracy {result['clean_accuracy']:.4f} on {args.n} samples, eps {args.eps}")
    for name, fn in runners(model, x, y, args.eps, args.queries).items():
        if any(s in name for s in args.skip):
            continue
        x_adv, secs = timed(fn)
        x_adv = x_adv.detach()
        d = (x_adv - x).flatten(1).abs().amax(1)
        row = {"robust_accuracy": accuracy(model, x_adv, y), "seconds": secs,
               "samples_per_second": args.n / secs, "max_linf": float(d.max())}
        result["rows"][name] = row
        result["robustkit_stages"] = STAGES
        print(f"{name:48s} robust {row['robust_accuracy']:.4f}  {secs:8.1f} s  "
              f"{row['samples_per_second']:8.2f} samples/s")
        RESULTS.mkdir(parents=True, exist_ok=True)
        out = RESULTS / f"autoattack-n{args.n}-q{args.queries}.json"
        out.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
