"""Attack behaviour on seeded models: budgets, bounds, falling accuracy, modes, restarts."""

from __future__ import annotations

import pytest
import torch
from robustkit_attacks import BIM, FGSM, MIM, PGD, PGDL2, bim, fgsm, mim, pgd
from robustkit_attacks.engine import AttackConfig, run_attack

EPS = 0.1

ATTACKS = {
    "fgsm": lambda **kw: FGSM(eps=EPS, **kw),
    "bim": lambda **kw: BIM(eps=EPS, steps=10, **kw),
    "pgd": lambda **kw: PGD(eps=EPS, steps=10, **kw),
    "mim": lambda **kw: MIM(eps=EPS, steps=10, **kw),
}


def _inside(x_adv, x, eps, norm="linf", bounds=(0.0, 1.0)):
    delta = (x_adv - x).flatten(1)
    size = delta.abs().amax(1) if norm == "linf" else delta.norm(dim=1)
    assert float(size.max()) <= eps + 1e-6
    assert float(x_adv.min()) >= bounds[0] and float(x_adv.max()) <= bounds[1]


@pytest.mark.parametrize("name", sorted(ATTACKS))
@pytest.mark.parametrize("mode", ["evaluate", "generate"])
@pytest.mark.parametrize("exact", [False, True])
def test_linf_attacks_stay_in_budget_and_lower_accuracy(cnn, image_data, name, mode, exact,
                                                        accuracy):
    _, _, x, y = image_data
    clean = accuracy(cnn, x, y)
    x_adv = ATTACKS[name](mode=mode, exact=exact)(cnn, x, y)
    _inside(x_adv, x, EPS)
    assert x_adv.shape == x.shape and x_adv.dtype == x.dtype
    assert clean > 0.9
    assert accuracy(cnn, x_adv, y) < clean - 0.2


@pytest.mark.parametrize("random_start", [False, True])
def test_pgd_l2_stays_in_the_l2_ball(cnn, image_data, random_start, accuracy):
    _, _, x, y = image_data
    x_adv = PGDL2(eps=1.0, steps=10, random_start=random_start)(cnn, x, y)
    _inside(x_adv, x, 1.0, norm="l2")
    assert accuracy(cnn, x_adv, y) < accuracy(cnn, x, y) - 0.2


def test_other_bounds_are_respected(cnn, image_data, accuracy):
    _, _, x, y = image_data
    shifted = x * 2 - 1  # the same images in [-1, 1]; the model sees them rescaled back
    model = torch.nn.Sequential(_Affine(0.5, 0.5), cnn)
    x_adv = pgd(model, shifted, y, eps=0.2, bounds=(-1, 1))
    _inside(x_adv, shifted, 0.2, bounds=(-1.0, 1.0))
    assert accuracy(model, x_adv, y) < accuracy(model, shifted, y) - 0.2


class _Affine(torch.nn.Module):
    def __init__(self, scale: float, shift: float):
        super().__init__()
        self.scale, self.shift = scale, shift

    def forward(self, x):
        return x * self.scale + self.shift


def test_accuracy_falls_as_eps_grows(cnn, image_data, accuracy):
    _, _, x, y = image_data
    accs = [accuracy(cnn, pgd(cnn, x, y, eps=e, generator=torch.Generator().manual_seed(0)), y)
            for e in (0.0, 0.03, 0.06, 0.1, 0.2)]
    assert accs[0] == accuracy(cnn, x, y)
    assert all(a >= b for a, b in zip(accs, accs[1:], strict=False)), accs
    assert accs[-1] < 0.1 < accs[0] - 0.5


def test_fast_mode_robust_accuracy_matches_exact_mode(cnn, image_data, accuracy):
    _, _, x, y = image_data
    for attack in (fgsm, bim, mim):
        fast = accuracy(cnn, attack(cnn, x, y, eps=0.06), y)
        exact = accuracy(cnn, attack(cnn, x, y, eps=0.06, exact=True), y)
        assert abs(fast - exact) <= 0.005, (attack.__name__, fast, exact)
    fast = accuracy(cnn, pgd(cnn, x, y, eps=0.06, random_start=False), y)
    exact = accuracy(cnn, pgd(cnn, x, y, eps=0.06, random_start=False, exact=True), y)
    assert abs(fast - exact) <= 0.005


def test_evaluation_mode_is_no_weaker_and_spends_fewer_steps(cnn, image_data, accuracy):
    _, _, x, y = image_data
    full = PGD(eps=0.06, steps=10, random_start=False, mode="generate").run(cnn, x, y)
    early = PGD(eps=0.06, steps=10, random_start=False, mode="evaluate").run(cnn, x, y)
    assert accuracy(cnn, early.x_adv, y) <= accuracy(cnn, full.x_adv, y)
    assert int(early.gradient_evaluations.sum()) < int(full.gradient_evaluations.sum())
    assert int(full.gradient_evaluations.min()) == 10
    # every sample the evaluation reports as fooled is misclassified at the returned iterate
    with torch.no_grad():
        wrong = cnn(early.x_adv).argmax(1) != y
    assert bool(wrong[early.fooled].all())
    # (the last iterate is not re-scored, so a sample may fall there unreported)
    assert 0 < int(early.fooled.sum()) <= int(wrong.sum())


def test_early_stop_keeps_clean_misclassified_samples_unchanged(cnn, image_data):
    _, _, x, y = image_data
    y_wrong = (y + 1) % 10  # every sample is "misclassified" w.r.t. these labels
    out = fgsm(cnn, x, y_wrong, eps=EPS, early_stop=True)
    assert torch.equal(out, x)


def test_restarts_keep_the_worst_case_per_sample(cnn, image_data):
    _, _, x, y = image_data
    one = pgd(cnn, x, y, eps=0.05, steps=5, restarts=1, generator=torch.Generator().manual_seed(5))
    three = pgd(cnn, x, y, eps=0.05, steps=5, restarts=3,
                generator=torch.Generator().manual_seed(5))
    _inside(three, x, 0.05)
    with torch.no_grad():
        wrong_one = cnn(one).argmax(1) != y
        wrong_three = cnn(three).argmax(1) != y
    # the first restart is the single run; later ones can only add misclassified samples
    assert bool(wrong_three[wrong_one].all())
    assert int(wrong_three.sum()) >= int(wrong_one.sum())


def test_random_start_follows_the_generator(cnn, image_data):
    _, _, x, y = image_data
    a = pgd(cnn, x, y, eps=EPS, generator=torch.Generator().manual_seed(1))
    b = pgd(cnn, x, y, eps=EPS, generator=torch.Generator().manual_seed(1))
    c = pgd(cnn, x, y, eps=EPS, generator=torch.Generator().manual_seed(2))
    assert torch.equal(a, b)
    assert not torch.equal(a, c)


@pytest.mark.parametrize("how", ["next", "random", "least-likely"])
def test_targeted_attacks_reach_their_targets(cnn, image_data, how):
    _, _, x, y = image_data
    attack = PGD(eps=0.3, steps=20, target=how)
    gen = torch.Generator().manual_seed(0)
    from robustkit.targets import choose_targets

    targets = choose_targets(cnn, x, y, how, torch.Generator().manual_seed(0), 10)
    x_adv = attack(cnn, x, y, generator=gen)
    _inside(x_adv, x, 0.3)
    with torch.no_grad():
        hit = float((cnn(x_adv).argmax(1) == targets).float().mean())
    assert hit > 0.8
    if how != "least-likely":
        assert bool((targets != y).all())


def test_functional_targeted_uses_y_as_targets(cnn, image_data):
    _, _, x, y = image_data
    targets = (y + 3) % 10
    x_adv = bim(cnn, x, targets, eps=0.2, steps=20, targeted=True)
    with torch.no_grad():
        assert float((cnn(x_adv).argmax(1) == targets).float().mean()) > 0.8


def test_recurrent_model_is_attacked(gru, gru_data, accuracy):
    x, y = gru_data
    clean = accuracy(gru, x, y)
    assert clean > 0.9
    for attack in (FGSM(eps=0.15), PGD(eps=0.15), MIM(eps=0.15), PGDL2(eps=1.0)):
        x_adv = attack(gru, x, y)
        assert accuracy(gru, x_adv, y) < clean - 0.3, attack
    _inside(PGD(eps=0.15)(gru, x, y), x, 0.15)


def test_model_state_is_restored(cnn, image_data):
    _, _, x, y = image_data
    params = list(cnn.parameters())
    data = [(p.data_ptr(), p.stride()) for p in params]
    cnn.train()
    try:
        pgd(cnn, x[:8], y[:8], eps=EPS)
        assert cnn.training
    finally:
        cnn.eval()
    assert all(p.requires_grad for p in cnn.parameters())
    assert all(a is b for a, b in zip(params, cnn.parameters(), strict=True))
    assert [(p.data_ptr(), p.stride()) for p in params] == data


def test_channels_last_path_gives_the_same_examples():
    # a 3x32x32 CNN takes the channels-last path in fast mode; exact mode does not
    torch.manual_seed(0)
    model = torch.nn.Sequential(
        torch.nn.Conv2d(3, 8, 3, padding=1), torch.nn.ReLU(), torch.nn.MaxPool2d(4),
        torch.nn.Flatten(), torch.nn.Linear(8 * 8 * 8, 10)).eval()
    x, y = torch.rand(32, 3, 32, 32), torch.randint(0, 10, (32,))
    from robustkit_attacks.model_state import channels_last_helps

    assert channels_last_helps(model, x)
    fast = pgd(model, x, y, eps=0.03, random_start=False)
    exact = pgd(model, x, y, eps=0.03, random_start=False, exact=True)
    assert fast.is_contiguous()
    _inside(fast, x, 0.03)
    assert float((fast - exact).abs().gt(1e-6).float().mean()) < 0.01


def test_engine_reports_per_sample_statistics(cnn, image_data):
    _, _, x, y = image_data
    cfg = AttackConfig(eps=0.1, alpha=0.025, steps=10, early_stop=True)
    result = run_attack(cnn, x, y, cfg)
    assert result.gradient_evaluations.shape == (x.shape[0],)
    assert int(result.gradient_evaluations.max()) <= 10
    assert result.fooled is not None and result.fooled.dtype == torch.bool
