"""auto-attack: the ensemble is at least as strong as PGD, its stages add up, and (slow) on an
adversarially trained CNN it matches torchattacks' ensemble at the reference budgets."""

from __future__ import annotations

import pytest
import torch
from robustkit_attacks import pgd
from robustkit_attacks.apgd_attack import APGD
from robustkit_attacks.autoattack import AutoAttack
from robustkit_attacks.metrics import AttackStages
from torch import nn

EPS = 0.1


def _gen(seed: int = 0) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def _acc(model, x, y) -> float:
    with torch.no_grad():
        return float((model(x).argmax(1) == y).float().mean())


def test_small_budget_ensemble_beats_pgd10_and_accounts_for_every_sample(cnn, image_data):
    _, _, x, y = image_data
    res = AutoAttack(eps=EPS, steps=20, square_queries=200).run(cnn, x, y, generator=_gen())
    x_pgd = pgd(cnn, x, y, eps=EPS, steps=10, early_stop=True, generator=_gen())
    assert _acc(cnn, res.x_adv, y) <= _acc(cnn, x_pgd, y)
    d = (res.x_adv - x).flatten(1).abs().amax(1)
    assert float(d.max()) <= EPS + 1e-5 and 0 <= float(res.x_adv.min()) <= 1
    counts = res.counts()
    assert sum(counts.values()) == x.shape[0]
    assert counts["robust"] == int((cnn(res.x_adv).argmax(1) == y).sum())
    assert counts["clean-misclassified"] == int((cnn(x).argmax(1) != y).sum())
    assert counts["apgd-ce"] > 0


def test_stages_metric_reads_the_pipeline_stats(cnn, image_data):
    from robustkit.data import Evaluation

    _, _, x, y = image_data
    res = AutoAttack(eps=EPS, steps=5, square_queries=20).run(cnn, x[:40], y[:40])
    half = [res.stages, res.stages]  # what the pipeline keeps: one names tuple per batch
    ev = Evaluation(y[:40], cnn(res.x_adv), res.x_adv, x[:40], cnn(x[:40]), None,
                    {"broken_by": res.broken_by, "stages": half})
    assert AttackStages().compute(ev) == {k: float(v) for k, v in res.counts().items()}


def test_rand_version_breaks_a_randomised_model(cnn, image_data):
    """EOT on a model with input noise: still stronger than no attack, and in budget."""
    _, _, x, y = image_data

    class Noisy(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.inner = cnn

        def forward(self, t):
            return self.inner(t + 0.05 * torch.randn_like(t))

    torch.manual_seed(0)
    model = Noisy()
    res = AutoAttack(eps=EPS, version="rand", steps=10, eot=4).run(model, x[:64], y[:64],
                                                                  generator=_gen())
    assert res.stages == ("apgd-ce", "apgd-dlr")
    assert res.counts()["robust"] < 0.8 * 64
    assert int(res.gradient_evaluations.max()) <= 4 * (10 + 1) * 2  # eot x (steps + start)


# ---- slow: an adversarially trained CNN (PGD-AT, Madry et al. 2018) -----------------------

def _pgd_at(x: torch.Tensor, y: torch.Tensor, epochs: int = 15) -> nn.Module:
    torch.manual_seed(0)
    model = nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.Flatten(), nn.Linear(32 * 4 * 4, 10))
    opt = torch.optim.Adam(model.parameters(), lr=0.01)
    gen = _gen(7)
    for _ in range(epochs):
        for i in range(0, x.shape[0], 64):
            xb, yb = x[i:i + 64], y[i:i + 64]
            xa = pgd(model, xb, yb, eps=EPS, steps=5, generator=gen)
            model.train()
            loss = torch.nn.functional.cross_entropy(model(xa), yb)
            opt.zero_grad()
            loss.backward()
            opt.step()
    return model.eval()


@pytest.fixture(scope="module")
def robust_cnn(image_data):
    x_tr, y_tr, _, _ = image_data
    return _pgd_at(x_tr, y_tr)


@pytest.fixture(scope="module")
def robust_data(image_data):
    _, _, x, y = image_data
    return x[:200], y[:200]


@pytest.mark.slow
def test_on_a_pgd_trained_cnn_apgd_and_autoattack_beat_pgd(robust_cnn, robust_data):
    x, y = robust_data
    model = robust_cnn
    clean = _acc(model, x, y)
    pgd10 = _acc(model, pgd(model, x, y, eps=EPS, steps=10, early_stop=True,
                            generator=_gen()), y)
    pgd100 = _acc(model, pgd(model, x, y, eps=EPS, steps=100, early_stop=True,
                             generator=_gen()), y)
    apgd100 = _acc(model, APGD(eps=EPS, steps=100).run(model, x, y, generator=_gen()).x_adv, y)
    res = AutoAttack(eps=EPS, square_queries=1000).run(model, x, y, generator=_gen())
    aa = _acc(model, res.x_adv, y)
    print(f"clean {clean:.3f} pgd-10 {pgd10:.3f} pgd-100 {pgd100:.3f} apgd-ce-100 {apgd100:.3f} "
          f"auto-attack {aa:.3f}")
    assert clean > 0.8 and pgd10 > 0.3, "the model should be robust to be a fair test"
    assert apgd100 <= pgd100
    assert aa <= pgd10 and aa <= apgd100


@pytest.mark.slow
def test_matches_torchattacks_ensemble_at_the_reference_budgets(robust_cnn, robust_data):
    """torchattacks' AutoAttack class runs its APGDs and FAB for 10 steps; the reference
    (and ours) 100, so its ensemble is built here with the reference budgets."""
    ta = pytest.importorskip("torchattacks")
    x, y = robust_data
    model = robust_cnn
    queries = 1000
    ref = ta.MultiAttack([
        ta.APGD(model, eps=EPS, steps=100, loss="ce", n_restarts=1, seed=0),
        ta.APGDT(model, eps=EPS, steps=100, n_classes=10, n_restarts=1, seed=0),
        ta.FAB(model, eps=EPS, steps=100, multi_targeted=True, n_classes=10, n_restarts=1,
               seed=0),
        ta.Square(model, eps=EPS, n_queries=queries, n_restarts=1, seed=0),
    ])
    theirs = _acc(model, ref(x, y), y)
    ours = _acc(model, AutoAttack(eps=EPS, square_queries=queries).run(
        model, x, y, generator=_gen()).x_adv, y)
    print(f"auto-attack: robustkit {ours:.3f}, torchattacks reference-budget ensemble {theirs:.3f}")
    assert abs(ours - theirs) <= 0.01 + 1e-9, (ours, theirs)


@pytest.mark.slow
@pytest.mark.parametrize("loss", ["ce", "dlr"])
def test_apgd_is_no_weaker_than_torchattacks_apgd(robust_cnn, robust_data, loss):
    """Same budget (100 steps, one start): at most 1 point weaker than torchattacks' port of
    the reference APGD, on the same model and samples."""
    ta = pytest.importorskip("torchattacks")
    x, y = robust_data
    model = robust_cnn
    theirs = _acc(model, ta.APGD(model, eps=EPS, steps=100, loss=loss, seed=0)(x, y), y)
    ours = _acc(model, APGD(eps=EPS, steps=100, loss=loss).run(
        model, x, y, generator=_gen()).x_adv, y)
    print(f"apgd-{loss}: robustkit {ours:.3f}, torchattacks {theirs:.3f}")
    assert ours <= theirs + 0.01 + 1e-9, (loss, ours, theirs)


@pytest.mark.parametrize("version", ["standard", "rand"])
def test_ensemble_runs_on_three_classes_where_dlr_is_undefined(version):
    """DLR needs 3 classes (targeted: 4): the stages fall back to CE / margin instead of
    failing mid-ensemble, and still break samples."""
    torch.manual_seed(0)
    model = nn.Sequential(nn.Flatten(), nn.Linear(16, 3)).eval()
    x = torch.rand(48, 1, 4, 4)
    y = model(x).argmax(1).detach()
    res = AutoAttack(eps=0.3, version=version, steps=10, square_queries=50, eot=2).run(
        model, x, y, generator=_gen())
    assert res.counts()["robust"] < 48
    assert float((res.x_adv - x).abs().max()) <= 0.3 + 1e-6
