"""C&W L2, ZOO and AutoZOOM in robustkit side by side with the Adversarial Robustness Toolbox
(ART) ``CarliniL2Method`` and ``ZooAttack``, on the same digits small-cnn and the same samples.

    pip install --no-deps -r benchmarks/requirements-optim-peers.txt
    python benchmarks/optim_attacks.py [--samples 100] [--repeats 3]

Prints one row per attack: success rate (among originally correct samples), mean / median L2,
mean L-inf of successes, mean queries per success (black-box), and the minimum and median wall
time over the repeats. Needs robustkit-datasets and robustkit-vision-models.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np
import torch

from robustkit import Kind, get_registry
from robustkit.config import TrainingConfig
from robustkit.data import PerturbContext, ScoreOracle, make_generator
from robustkit.trainer import Trainer

CW = dict(confidence=0.0, initial_const=0.1, binary_search_steps=5, max_iterations=200,
          learning_rate=0.05)
BUDGET = 2000


def train(seed: int = 0):
    reg = get_registry()
    data = reg.get(Kind.DATASET, "digits").build({}).load(seed)
    torch.manual_seed(seed)
    model = reg.get(Kind.MODEL, "small-cnn").build({}).build(data.info)
    Trainer(TrainingConfig(epochs=30, lr=0.002), data.info.task, seed=seed).fit(
        model, data.x_train, data.y_train)
    return model.eval(), data


class Counter(torch.nn.Module):
    """Counts the inputs a peer's attack evaluates (ART does not report queries)."""

    def __init__(self, model):
        super().__init__()
        self.model, self.count = model, 0

    def forward(self, x):
        self.count += x.shape[0]
        return self.model(x)


def summarise(model, x, y, adv, queries=None):
    with torch.no_grad():
        correct = model(x).argmax(1) == y
        ok = correct & (model(adv).argmax(1) != y)
    d = (adv - x).flatten(1).double()
    l2, linf = d.norm(dim=1)[ok], d.abs().amax(1)[ok]
    row = {"success": float(ok.sum()) / int(correct.sum()),
           "l2_mean": float(l2.mean()) if ok.any() else float("nan"),
           "l2_median": float(l2.median()) if ok.any() else float("nan"),
           "linf_mean": float(linf.mean()) if ok.any() else float("nan")}
    if queries is not None:
        row["queries_per_success"] = queries
    return row


def ours(name, params, model, data, x, y):
    reg = get_registry()
    attack = reg.get(Kind.PERTURBATION, name).build(params)
    needs = reg.get(Kind.PERTURBATION, name).needs.value
    access = model if needs == "gradients" else ScoreOracle(
        lambda t: torch.softmax(model(t), -1), num_classes=10)
    ctx = PerturbContext(info=data.info, seed=0, generator=make_generator(0, name), model=access)
    adv = attack.perturb(x, y, ctx)
    q = None
    if "queries_to_success" in ctx.stats:
        s = ctx.stats["attack_succeeded"]
        q = (float(ctx.stats["queries_to_success"][s].mean()),
             float(ctx.stats["queries"].double().mean()))
    return adv, q


def art_classifier(model):
    from art.estimators.classification import PyTorchClassifier

    return PyTorchClassifier(model=model, loss=torch.nn.CrossEntropyLoss(), input_shape=(1, 8, 8),
                             nb_classes=10, clip_values=(0.0, 1.0), device_type="cpu")


def art_cw(model, x, y):
    from art.attacks.evasion import CarliniL2Method

    attack = CarliniL2Method(art_classifier(model), confidence=CW["confidence"],
                             learning_rate=CW["learning_rate"],
                             binary_search_steps=CW["binary_search_steps"],
                             max_iter=CW["max_iterations"], initial_const=CW["initial_const"],
                             batch_size=len(x), verbose=False)
    return torch.from_numpy(attack.generate(x.numpy(), y=y.numpy())), None


def art_zoo(model, x, y):
    from art.attacks.evasion import ZooAttack

    counter = Counter(model)
    # as close to robustkit's zoo defaults as ART allows: ADAM, 16 coordinates per step, no
    # resizing (8x8 images), one binary-search step with c = 10, stop at the first success
    attack = ZooAttack(art_classifier(counter), confidence=0.0, learning_rate=0.1,
                       max_iter=BUDGET // 33, binary_search_steps=1, initial_const=10.0,
                       abort_early=True, use_resize=False, use_importance=False,
                       nb_parallel=16, batch_size=1, variable_h=1e-3, verbose=False)
    adv = torch.from_numpy(attack.generate(x.numpy(), y=y.numpy()))
    return adv, (None, counter.count / len(x))  # ART reports no first-success query count


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--samples", type=int, default=100)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--threads", type=int, default=1,
                    help="torch threads (1 avoids spin-waiting on a shared machine)")
    ap.add_argument("--cw-steps", type=int, default=CW["binary_search_steps"],
                    help="C&W binary-search steps, both libraries")
    ap.add_argument("--cw-iterations", type=int, default=CW["max_iterations"],
                    help="C&W Adam steps per binary-search step, both libraries")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    CW.update(binary_search_steps=args.cw_steps, max_iterations=args.cw_iterations)
    np.random.seed(0)  # ART draws from numpy's global generator
    model, data = train()
    x, y = data.x_test[: args.samples], data.y_test[: args.samples]
    runs = {
        "robustkit cw-l2": lambda: ours("cw-l2", CW, model, data, x, y),
        "ART CarliniL2Method": lambda: art_cw(model, x, y),
        "robustkit zoo (ADAM)": lambda: ours("zoo", {"max_queries": BUDGET}, model, data, x, y),
        "robustkit zoo (Newton)": lambda: ours("zoo", {"max_queries": BUDGET, "solver": "newton"},
                                               model, data, x, y),
        "ART ZooAttack": lambda: art_zoo(model, x, y),
        "robustkit autozoom (resize 4x4)": lambda: ours("autozoom", {"max_queries": BUDGET},
                                                        model, data, x, y),
        "robustkit autozoom (autoencoder)": lambda: ours(
            "autozoom", {"max_queries": BUDGET, "reduction": "autoencoder"}, model, data, x, y),
    }
    print(f"{args.samples} digits test samples, small-cnn, {args.repeats} repeats, "
          f"torch {torch.__version__}, {torch.get_num_threads()} threads, C&W "
          f"{CW['binary_search_steps']} x {CW['max_iterations']} steps", flush=True)
    print("| attack | success | mean L2 | median L2 | mean Linf | queries to success | "
          "queries per sample | time min (s) | time median (s) |")
    print("|" + "---|" * 9)
    for name, fn in runs.items():
        times = []
        for _ in range(args.repeats):
            t = time.perf_counter()
            adv, q = fn()
            times.append(time.perf_counter() - t)
        r = summarise(model, x, y, adv, q)
        first, per_sample = r.get("queries_per_success") or (None, None)
        qs = " | ".join("-" if v is None else f"{v:.0f}" for v in (first, per_sample))
        print(f"| {name} | {r['success']:.3f} | {r['l2_mean']:.3f} | {r['l2_median']:.3f} | "
              f"{r['linf_mean']:.3f} | {qs} | {min(times):.2f} | {statistics.median(times):.2f} |",
              flush=True)


if __name__ == "__main__":
    main()
