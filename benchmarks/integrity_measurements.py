"""The numbers docs/integrity.md, docs/plugins/attacks.md and docs/plugins/adapters.md quote
for the integrity work, measured in one process on small seeded digits models.

Sections (``--only`` picks some):

- ``fast-exact``: FGSM (ε = 0.2) fast vs exact mode on a digits MLP whose logits are scaled
  by k (a softmax that saturates as k grows), and the share of samples whose gradient sign the
  batch-mean loss changes (the bound on the gap);
- ``bpda-eot``: PGD-50 (ε = 0.2) on a digits CNN behind 1-bit quantisation (plain vs BPDA)
  and behind Gaussian input noise σ = 0.3 (one draw vs EOT over 16);
- ``art-zoo``: ART's ZOO with its example settings, through robustkit's ``art-zoo`` (now and
  with the old double softmax) and ART used directly, on the same CNN and 20 digits;
- ``escalation``: the distilled digits MLP (T = 100) under PGD-10 at ε = 0.2, reported and
  escalated.

    python benchmarks/integrity_measurements.py [--only fast-exact bpda-eot art-zoo escalation]

Writes benchmarks/results/integrity_measurements.json. Timings are not reported: the machine
these ran on was shared and loaded.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

from robustkit.components import DataInfo, Kind, Modality, Task
from robustkit.data import PerturbContext, make_generator
from robustkit.plugins import get_registry

RESULTS = Path(__file__).parent / "results" / "integrity_measurements.json"
VECTOR = DataInfo(Task.CLASSIFICATION, Modality.VECTOR, (64,), (0.0, 1.0), num_classes=10)
IMAGE = DataInfo(Task.CLASSIFICATION, Modality.IMAGE, (1, 8, 8), (0.0, 1.0), num_classes=10)


def digits(image: bool) -> tuple[torch.Tensor, torch.Tensor]:
    from sklearn.datasets import load_digits

    d = load_digits()
    x = torch.tensor(d.data / 16.0, dtype=torch.float32)
    return (x.view(-1, 1, 8, 8) if image else x), torch.tensor(d.target)


def fit(net: nn.Module, x: torch.Tensor, y: torch.Tensor, steps: int,
        augment=lambda v: v) -> nn.Module:
    opt = torch.optim.Adam(net.parameters(), lr=0.01)
    for _ in range(steps):
        opt.zero_grad()
        F.cross_entropy(net(augment(x)), y).backward()
        opt.step()
    return net.eval()


def accuracy(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> float:
    with torch.no_grad():
        return float((model(torch.as_tensor(x)).argmax(1) == y).float().mean())


def attack(name: str, params: dict, model, x, y, info: DataInfo) -> torch.Tensor:
    atk = get_registry().get(Kind.PERTURBATION, name).build(params)
    ctx = PerturbContext(info=info, seed=0, generator=make_generator(0, "p"), model=model)
    return atk.perturb(x, y, ctx)


class Scaled(nn.Module):
    def __init__(self, net: nn.Module, k: float):
        super().__init__()
        self.net, self.k = net, k

    def forward(self, x):
        return self.net(x) * self.k


def fast_exact() -> dict:
    torch.manual_seed(0)
    x, y = digits(image=False)
    net = fit(nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10)), x[:1300],
              y[:1300], 100)
    x, y = x[1300:], y[1300:]
    rows = []
    for k in (1, 5, 8, 10, 12, 15, 20, 30):
        model = Scaled(net, k)
        signs = []
        for reduction in ("sum", "mean"):
            xx = x.clone().requires_grad_(True)
            (g,) = torch.autograd.grad(F.cross_entropy(model(xx), y, reduction=reduction), xx)
            signs.append(g.sign())
        fast, exact = (accuracy(model, attack("fgsm", {"eps": 0.2, "exact": e}, model, x, y,
                                               VECTOR), y) for e in (False, True))
        rows.append({"k": k, "fast": fast, "exact": exact, "gap": exact - fast,
                     "sign_differs": float((signs[0] != signs[1]).any(1).float().mean())})
    return {"samples": int(x.shape[0]), "rows": rows}


def digits_cnn(noise_sigma: float = 0.3) -> tuple[nn.Module, torch.Tensor, torch.Tensor]:
    torch.manual_seed(0)
    x, y = digits(image=True)
    net = nn.Sequential(nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.Flatten(),
                        nn.Linear(16 * 64, 10))

    def noisy(v):
        return (v + noise_sigma * torch.randn_like(v)).clamp(0, 1)

    fit(net, x[:1300], y[:1300], 150, augment=noisy)
    return net, x[1300:1500], y[1300:1500]


def bpda_eot() -> dict:
    from robustkit.adaptive import EOT, bpda
    from robustkit.wrappers import InputTransformModel

    net, x, y = digits_cnn()
    out = {}
    quant = InputTransformModel(lambda v: torch.round(v), net).eval()
    try:
        plain: float | str = accuracy(quant, attack("pgd", {"eps": 0.2, "steps": 50}, quant, x,
                                                    y, IMAGE), y)
    except Exception as exc:  # plain PGD refuses a model whose gradients are all zero
        plain = type(exc).__name__
    out["bit_depth_1"] = {"clean": accuracy(quant, x, y), "plain_pgd": plain,
                          "bpda_pgd": accuracy(quant, attack("pgd", {"eps": 0.2, "steps": 50},
                                                             bpda(quant), x, y, IMAGE), y)}
    noise = InputTransformModel(lambda v: (v + 0.3 * torch.randn_like(v)).clamp(0, 1),
                                net).eval()
    res = {}
    for name, seen in (("one_draw", noise), ("eot_16", EOT(noise, 16))):
        x_adv = attack("pgd", {"eps": 0.2, "steps": 50}, seen, x, y, IMAGE)
        torch.manual_seed(1)
        res[name] = accuracy(noise, x_adv, y)
    torch.manual_seed(1)
    out["input_noise_0.3"] = {"clean": accuracy(noise, x, y), **res}
    return out


def art_zoo() -> dict:
    import numpy as np
    from art.attacks.evasion import ZooAttack
    from art.estimators.classification import BlackBoxClassifier, PyTorchClassifier
    from robustkit_art.adapter import seeded

    from robustkit.data import ScoreOracle

    settings = dict(confidence=0.0, learning_rate=0.1, max_iter=20, binary_search_steps=10,
                    initial_const=1e-3, abort_early=True, use_resize=False,
                    use_importance=False, nb_parallel=10, batch_size=1, variable_h=0.2)
    torch.manual_seed(0)
    x, y = digits(image=True)
    net = fit(nn.Sequential(nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.Flatten(),
                            nn.Linear(16 * 64, 10)), x[:1500], y[:1500], 100)
    right = net(x[1500:]).argmax(1) == y[1500:]
    x, y = x[1500:][right][:20].detach(), y[1500:][right][:20]

    class Doubled(BlackBoxClassifier):
        channels_first = True

    def twice(v):
        with torch.no_grad():
            return torch.softmax(torch.softmax(net(torch.as_tensor(v)), -1), -1).numpy()

    fooled = {}
    for name, est in (
        ("art_directly", PyTorchClassifier(model=net, loss=nn.CrossEntropyLoss(),
                                           input_shape=(1, 8, 8), nb_classes=10,
                                           clip_values=(0.0, 1.0))),
        ("old_double_softmax", Doubled(twice, (1, 8, 8), 10, clip_values=(0.0, 1.0))),
    ):
        with seeded(0):
            x_adv = ZooAttack(est, verbose=False, **settings).generate(x=x.numpy(),
                                                                        y=y.numpy())
        fooled[name] = 1 - accuracy(net, np.asarray(x_adv), y)
    oracle = ScoreOracle(lambda v: torch.softmax(net(v), -1), num_classes=10)
    fooled["robustkit_art_zoo"] = 1 - accuracy(net, attack("art-zoo", settings, oracle, x, y,
                                                           IMAGE), y)
    return {"samples": int(x.shape[0]), "fooled": fooled, "settings": settings}


def escalation() -> dict:
    from robustkit import Pipeline

    with tempfile.TemporaryDirectory() as tmp:
        r = Pipeline(dataset="digits", model={"name": "mlp", "hidden": [128, 128]},
                     defenses=[{"name": "defensive-distillation", "temperature": 100.0}],
                     perturbations=[{"name": "pgd", "eps": 0.2, "steps": 10}],
                     training={"epochs": 30, "lr": 0.01}, seed=0, eval_samples=200,
                     integrity_samples=200, store=Path(tmp) / "r.db", cache=False).run()
    return {"flags": sorted({f.check for f in r.flags}),
            "escalations": [e.as_dict() for e in r.escalations]}


SECTIONS = {"fast-exact": fast_exact, "bpda-eot": bpda_eot, "art-zoo": art_zoo,
            "escalation": escalation}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", nargs="+", choices=list(SECTIONS), default=list(SECTIONS))
    args = ap.parse_args()
    out = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
    out["torch"] = torch.__version__
    for name in args.only:
        out[name] = SECTIONS[name]()
        print(name, json.dumps(out[name], indent=1), flush=True)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(out, indent=1, sort_keys=True) + "\n")
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
