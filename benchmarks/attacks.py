"""Gradient attacks side by side: robustkit vs torchattacks, ART and foolbox vs a hand-written
PyTorch loop, in one process, on the same model and batch.

    pip install --no-deps -r benchmarks/requirements-peers.txt   # peers, never torchvision
    python benchmarks/attacks.py --repeats 5

Each timing is the median of ``--repeats`` runs after one warm-up run. Ratios are throughput
relative to the hand-written loop (higher is faster). Peers that are not installed are skipped.
Results go to stdout as Markdown tables (docs/benchmarks.md quotes them).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from robustkit_attacks import fgsm, pgd
from torch import nn

EPS_RGB, ALPHA_RGB = 8 / 255, 2 / 255
EPS_DIGITS, ALPHA_DIGITS = 0.1, 0.025
STEPS = 10


# -- models and data ------------------------------------------------------------------------
def rgb_setup(batch: int) -> tuple[nn.Module, torch.Tensor, torch.Tensor]:
    """small-cnn (robustkit-vision-models) on 3x32x32, briefly trained on seeded synthetic
    images (one smooth prototype per class plus noise) so that attacks have work to do."""
    from robustkit_vision_models.nets import SmallCNN
    from robustkit_vision_models.params import SmallCNNParams

    gen = torch.Generator().manual_seed(0)
    # prototypes close together (values in [0.4, 0.6]) so that eps = 8/255 matters
    protos = 0.4 + 0.2 * F.interpolate(torch.rand(10, 3, 8, 8, generator=gen), size=32,
                                       mode="bilinear")

    def draw(n: int) -> tuple[torch.Tensor, torch.Tensor]:
        y = torch.randint(0, 10, (n,), generator=gen)
        return (protos[y] + 0.2 * torch.randn(n, 3, 32, 32, generator=gen)).clamp(0, 1), y

    torch.manual_seed(0)
    model = SmallCNN(3, (32, 32), 10, SmallCNNParams())
    x_tr, y_tr = draw(2048)
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    for _ in range(2):
        for i in range(0, 2048, 128):
            loss = F.cross_entropy(model(x_tr[i:i + 128]), y_tr[i:i + 128])
            opt.zero_grad()
            loss.backward()
            opt.step()
    x, y = draw(batch)
    return model.eval(), x, y


def digits_setup() -> tuple[nn.Module, torch.Tensor, torch.Tensor]:
    """The default pipeline's model: small-cnn trained 30 epochs on digits (seed 0)."""
    from robustkit import Pipeline
    from robustkit.components import Kind
    from robustkit.plugins import get_registry
    from robustkit.trainer import Trainer

    reg = get_registry()
    data = reg.get(Kind.DATASET, "digits").build({}).load(0)
    torch.manual_seed(0)
    model = reg.get(Kind.MODEL, "small-cnn").build({}).build(data.info)
    cfg = Pipeline(dataset="digits", model="small-cnn", training={"epochs": 30, "lr": 0.002})
    Trainer(cfg.training, data.info.task, seed=0).fit(model, data.x_train, data.y_train)
    return model.eval(), data.x_test, data.y_test


# -- the attacks ----------------------------------------------------------------------------
def handwritten_pgd(model, x, y, eps, alpha, steps):
    """The loop everyone writes: sign step, clip to the ball, clip to [0, 1]."""
    adv = x.clone()
    for _ in range(steps):
        adv.requires_grad_(True)
        loss = F.cross_entropy(model(adv), y)
        (g,) = torch.autograd.grad(loss, adv)
        adv = torch.min(torch.max(adv.detach() + alpha * g.sign(), x - eps), x + eps).clamp(0, 1)
    return adv


def handwritten_fgsm(model, x, y, eps):
    x = x.clone().requires_grad_(True)
    (g,) = torch.autograd.grad(F.cross_entropy(model(x), y), x)
    return (x.detach() + eps * g.sign()).clamp(0, 1)


def peers(model, x, eps, alpha, shape):
    """name -> (fgsm_fn, pgd_fn) for each installed peer; each fn(x, y) -> x_adv."""
    out: dict[str, tuple[Callable, Callable]] = {}
    try:
        import torchattacks

        ta_f = torchattacks.FGSM(model, eps=eps)
        ta_p = torchattacks.PGD(model, eps=eps, alpha=alpha, steps=STEPS, random_start=False)
        out["torchattacks 3.5.1"] = (ta_f, ta_p)
    except ImportError:
        print("torchattacks not installed: skipped", file=sys.stderr)
    try:
        from art.attacks.evasion import FastGradientMethod, ProjectedGradientDescentPyTorch
        from art.estimators.classification import PyTorchClassifier

        clf = PyTorchClassifier(model=model, loss=nn.CrossEntropyLoss(), input_shape=shape,
                                nb_classes=10, clip_values=(0.0, 1.0))
        n = x.shape[0]
        art_f = FastGradientMethod(clf, norm=np.inf, eps=eps, batch_size=n)
        art_p = ProjectedGradientDescentPyTorch(clf, norm=np.inf, eps=eps, eps_step=alpha,
                                                max_iter=STEPS, num_random_init=0,
                                                batch_size=n, verbose=False)
        out["ART 1.20.1"] = (
            lambda a, b: torch.from_numpy(art_f.generate(a.numpy(), b.numpy())),
            lambda a, b: torch.from_numpy(art_p.generate(a.numpy(), b.numpy())))
    except ImportError:
        print("adversarial-robustness-toolbox not installed: skipped", file=sys.stderr)
    try:
        import foolbox as fb

        fm = fb.PyTorchModel(model, bounds=(0.0, 1.0))
        fb_f = fb.attacks.FGSM(random_start=False)
        fb_p = fb.attacks.LinfPGD(steps=STEPS, abs_stepsize=alpha, random_start=False)
        out["foolbox 3.3.4"] = (lambda a, b: fb_f(fm, a, b, epsilons=eps)[1],
                                lambda a, b: fb_p(fm, a, b, epsilons=eps)[1])
    except ImportError:
        print("foolbox not installed: skipped", file=sys.stderr)
    return out


# -- timing ---------------------------------------------------------------------------------
def timed(fn: Callable[[], torch.Tensor], repeats: int) -> tuple[float, torch.Tensor]:
    out = fn()  # warm-up (allocator, one-off conversions)
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), out


def accuracy(model, x, y) -> float:
    with torch.inference_mode():
        return float((model(x).argmax(1) == y).float().mean())


def generation_table(title, model, x, y, eps, alpha, repeats) -> None:
    shape = tuple(x.shape[1:])
    rows: list[tuple[str, str, float, float]] = []
    for attack in ("FGSM", "PGD-10"):
        methods: dict[str, Callable[[], torch.Tensor]] = {}
        if attack == "FGSM":
            methods["hand-written loop"] = lambda: handwritten_fgsm(model, x, y, eps)
            methods["robustkit (fast)"] = lambda: fgsm(model, x, y, eps=eps)
            methods["robustkit (exact)"] = lambda: fgsm(model, x, y, eps=eps, exact=True)
        else:
            methods["hand-written loop"] = lambda: handwritten_pgd(model, x, y, eps, alpha,
                                                                   STEPS)
            methods["robustkit (fast)"] = lambda: pgd(model, x, y, eps=eps, alpha=alpha,
                                                      steps=STEPS, random_start=False)
            methods["robustkit (exact)"] = lambda: pgd(model, x, y, eps=eps, alpha=alpha,
                                                       steps=STEPS, random_start=False,
                                                       exact=True)
        for name, (pf, pp) in peers(model, x, eps, alpha, shape).items():
            fn = pf if attack == "FGSM" else pp
            methods[name] = lambda f=fn: f(x, y)
        base = None
        for name, fn in methods.items():
            sec, adv = timed(fn, repeats)
            base = base or sec
            rows.append((attack, name, sec, accuracy(model, adv, y)))
            print(f"  {title} {attack} {name}: {sec:.3f}s", file=sys.stderr)
    print(f"\n### Generating examples: {title}\n")
    print("| attack | implementation | median time (s) | throughput vs hand-written | "
          "robust accuracy |")
    print("|---|---|---|---|---|")
    for attack in ("FGSM", "PGD-10"):
        sub = [r for r in rows if r[0] == attack]
        base = sub[0][2]
        for _, name, sec, acc in sub:
            print(f"| {attack} | {name} | {sec:.3f} | {base / sec:.2f}x | {acc:.4f} |")
    for attack in ("FGSM", "PGD-10"):
        sub = {r[1]: r[2] for r in rows if r[0] == attack}
        for peer in [k for k in sub if k.split()[0] in ("torchattacks", "ART", "foolbox")]:
            print(f"\nrobustkit (fast) vs {peer}, {attack}: "
                  f"{sub[peer] / sub['robustkit (fast)']:.2f}x")


def evaluation_table(title, model, x, y, eps, alpha, repeats) -> None:
    """Robust accuracy: early stop vs the full attack, each followed by a prediction."""
    methods: dict[str, Callable[[], float]] = {
        "robustkit PGD-10, evaluate (early stop)": lambda: accuracy(model, pgd(
            model, x, y, eps=eps, alpha=alpha, steps=STEPS, random_start=False,
            early_stop=True), y),
        "robustkit PGD-10, generate (full)": lambda: accuracy(model, pgd(
            model, x, y, eps=eps, alpha=alpha, steps=STEPS, random_start=False), y),
        "hand-written PGD-10 loop": lambda: accuracy(model, handwritten_pgd(
            model, x, y, eps, alpha, STEPS), y),
    }
    try:
        import torchattacks

        ta = torchattacks.PGD(model, eps=eps, alpha=alpha, steps=STEPS, random_start=False)
        methods["torchattacks PGD-10"] = lambda: accuracy(model, ta(x, y), y)
    except ImportError:
        pass
    print(f"\n### Robust accuracy evaluation: {title}\n")
    print("| method (attack + prediction) | median time (s) | throughput vs torchattacks | "
          "robust accuracy |")
    print("|---|---|---|---|")
    results = {name: timed(fn, repeats) for name, fn in methods.items()}
    ref = results.get("torchattacks PGD-10", results["hand-written PGD-10 loop"])[0]
    for name, (sec, acc) in results.items():
        print(f"| {name} | {sec:.3f} | {ref / sec:.2f}x | {acc:.4f} |")


def layout_table(title, model, x, y, eps, alpha, repeats) -> None:
    """Fast-path PGD-10 with channels-last forced on and off: is the heuristic right?"""
    from robustkit_attacks import model_state

    saved = model_state._CHANNELS_LAST_MIN_PIXELS
    times = {}
    try:
        for name, threshold in (("default format", 10**9), ("channels-last", 0)):
            model_state._CHANNELS_LAST_MIN_PIXELS = threshold
            times[name] = timed(lambda: pgd(model, x, y, eps=eps, alpha=alpha, steps=STEPS,
                                            random_start=False), repeats)[0]
    finally:
        model_state._CHANNELS_LAST_MIN_PIXELS = saved
    print(f"\n### Memory format, fast-path PGD-10: {title}\n")
    print("| format | median time (s) |\n|---|---|")
    for name, sec in times.items():
        print(f"| {name} | {sec:.3f} |")
    print(f"\nchannels-last speed-up: {times['default format'] / times['channels-last']:.2f}x")


def pipeline_overhead(repeats: int) -> None:
    """The evaluate stage of a pipeline vs calling the same attack and prediction directly."""
    from robustkit import Pipeline
    from robustkit.components import Kind
    from robustkit.data import PerturbContext, make_generator
    from robustkit.plugins import get_registry
    from robustkit.trainer import predict

    with tempfile.TemporaryDirectory() as tmp:
        cfg = Pipeline(dataset="digits", model="small-cnn",
                       perturbations=[{"name": "pgd", "eps": EPS_DIGITS}],
                       metrics=["accuracy"], training={"epochs": 30, "lr": 0.002},
                       store=Path(tmp) / "r.db")
        cfg.run()  # trains and caches the model
        stage, direct = [], []
        reg = get_registry()
        data = reg.get(Kind.DATASET, "digits").build({}).load(0)
        model, _ = _cached_model(cfg, data, Path(tmp))
        attack = reg.get(Kind.PERTURBATION, "pgd").build({"eps": EPS_DIGITS})
        for _ in range(repeats):
            result = cfg.run()
            stage.append(next(v for k, v in result.timings.items() if k.startswith(
                "evaluate:pgd")))
            t = time.perf_counter()
            # the generator the pipeline derives for this setting: identical random starts,
            # so both sides do exactly the same work
            label = f"pgd[eps={EPS_DIGITS:g}]"
            ctx = PerturbContext(info=data.info, seed=0, model=model,
                                 generator=make_generator(cfg.seed, "perturb", label))
            x_adv = attack.perturb(data.x_test, data.y_test, ctx)
            predict(model, x_adv, 512)
            direct.append(time.perf_counter() - t)
            acc = float((predict(model, x_adv, 512).argmax(1) == data.y_test).float().mean())
        s, d = statistics.median(stage), statistics.median(direct)
        print("\n### Pipeline overhead (digits, small-cnn, PGD-10 at eps 0.1, evaluate mode)\n")
        print("| | median time (s) |\n|---|---|")
        print(f"| pipeline stage `evaluate:pgd[eps=0.1]` | {s:.3f} |")
        print(f"| direct `perturb` + `predict` on the same test set | {d:.3f} |")
        print(f"\noverhead of the pipeline: {100 * (s / d - 1):+.1f}% "
              f"(robust accuracy {result.value('accuracy', 'pgd[eps=0.1]'):.4f} vs direct "
              f"{acc:.4f})")


def _cached_model(cfg, data, tmp: Path):
    from robustkit.cache import ModelCache
    from robustkit.components import Kind
    from robustkit.plugins import get_registry

    torch.manual_seed(0)
    model = get_registry().get(Kind.MODEL, "small-cnn").build({}).build(data.info)
    cache = ModelCache(tmp / "cache")
    keys = [p.stem for p in (tmp / "cache").rglob("*.pt")]
    for key in keys:
        if cache.load(key, model):
            return model.eval(), key
    raise RuntimeError("no cached model found")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--batch", type=int, default=256)
    parser.add_argument("--only", nargs="*",
                        choices=["rgb", "digits", "pipeline", "eval", "layout"])
    args = parser.parse_args()
    only = set(args.only or ["rgb", "digits", "pipeline", "eval", "layout"])
    torch.manual_seed(0)
    print(f"torch {torch.__version__}, {torch.get_num_threads()} threads, repeats "
          f"{args.repeats} (median)")
    if "layout" in only:
        model, x, y = rgb_setup(args.batch)
        layout_table("small-cnn 3x32x32", model, x, y, EPS_RGB, ALPHA_RGB, args.repeats)
        model, x, y = digits_setup()
        layout_table("small-cnn digits 1x8x8", model, x, y, EPS_DIGITS, ALPHA_DIGITS,
                     args.repeats)
    if "rgb" in only or "eval" in only:
        model, x, y = rgb_setup(args.batch)
        print(f"\nCNN 3x32x32: clean accuracy {accuracy(model, x, y):.4f}")
        if "rgb" in only:
            generation_table(f"small-cnn, 3x32x32, batch {args.batch}, eps 8/255", model, x,
                             y, EPS_RGB, ALPHA_RGB, args.repeats)
        if "eval" in only:
            # a smaller budget than for generation: at 8/255 every sample falls within two
            # steps and early stopping would look better than it typically is
            evaluation_table("small-cnn, 3x32x32, eps 2/255", model, x, y, EPS_RGB / 4,
                             ALPHA_RGB / 4, args.repeats)
    if "digits" in only or "eval" in only:
        model, x, y = digits_setup()
        print(f"\ndigits: clean accuracy {accuracy(model, x, y):.4f}, batch {x.shape[0]}")
        if "digits" in only:
            generation_table(f"small-cnn, digits 1x8x8, batch {x.shape[0]}, eps 0.1", model, x,
                             y, EPS_DIGITS, ALPHA_DIGITS, args.repeats)
        if "eval" in only:
            evaluation_table("small-cnn, digits, eps 0.1", model, x, y, EPS_DIGITS,
                             ALPHA_DIGITS, args.repeats)
    if "pipeline" in only:
        pipeline_overhead(args.repeats)


if __name__ == "__main__":
    main()
