"""APGD and Square on the seeded toy CNN: stronger than PGD, within budget, score-only."""

from __future__ import annotations

import pytest
import torch
from robustkit_attacks import pgd
from robustkit_attacks.apgd_attack import APGD, APGDT
from robustkit_attacks.errors import NoGradientError
from robustkit_attacks.square_attack import Square
from torch import nn

from robustkit.components import DataInfo, Modality, Task
from robustkit.data import PerturbContext, ScoreOracle
from robustkit.errors import DataError, ParamsError, PluginError


def _gen(seed: int = 0) -> torch.Generator:
    return torch.Generator().manual_seed(seed)


def _in_budget(x_adv, x, eps, norm):
    d = (x_adv - x).flatten(1)
    size = d.abs().amax(1) if norm == "linf" else d.norm(dim=1)
    assert float(size.max()) <= eps + 1e-5, f"{norm} budget exceeded: {float(size.max())}"
    assert float(x_adv.min()) >= 0.0 and float(x_adv.max()) <= 1.0


def test_apgd_ce_100_is_at_least_as_strong_as_pgd_100(cnn, image_data, accuracy):
    _, _, x, y = image_data
    eps = 0.1
    x_pgd = pgd(cnn, x, y, eps=eps, steps=100, early_stop=True, generator=_gen())
    res = APGD(eps=eps, steps=100, mode="evaluate").run(cnn, x, y, generator=_gen())
    _in_budget(res.x_adv, x, eps, "linf")
    robust_apgd, robust_pgd = accuracy(cnn, res.x_adv, y), accuracy(cnn, x_pgd, y)
    assert robust_apgd <= robust_pgd
    assert robust_apgd < accuracy(cnn, x, y) - 0.3
    # what the attack says it broke is what the model says
    assert torch.equal(res.fooled, cnn(res.x_adv).argmax(1) != y)


@pytest.mark.parametrize("norm,eps", [("linf", 0.08), ("l2", 0.6)])
@pytest.mark.parametrize("mode", ["evaluate", "generate"])
def test_apgd_stays_in_budget_and_bounds(cnn, image_data, accuracy, norm, eps, mode):
    _, _, x, y = image_data
    x, y = x[:64], y[:64]
    res = APGD(eps=eps, norm=norm, steps=20, restarts=2, mode=mode, loss="dlr").run(
        cnn, x, y, generator=_gen())
    _in_budget(res.x_adv, x, eps, norm)
    assert accuracy(cnn, res.x_adv, y) < accuracy(cnn, x, y) - 0.1


def test_evaluation_mode_stops_early_without_losing_strength(cnn, image_data, accuracy):
    _, _, x, y = image_data
    ev = APGD(eps=0.1, steps=50, mode="evaluate").run(cnn, x, y, generator=_gen())
    gen = APGD(eps=0.1, steps=50, mode="generate").run(cnn, x, y, generator=_gen())
    assert int(ev.gradient_evaluations.sum()) < 0.8 * int(gen.gradient_evaluations.sum())
    assert abs(accuracy(cnn, ev.x_adv, y) - accuracy(cnn, gen.x_adv, y)) <= 0.03


def test_targeted_apgd_reaches_its_targets(cnn, image_data):
    _, _, x, y = image_data
    x, y = x[:96], y[:96]
    for loss in ("ce", "dlr"):
        res = APGD(eps=0.3, steps=50, target="next", loss=loss).run(cnn, x, y, generator=_gen())
        reached = cnn(res.x_adv).argmax(1) == (y + 1) % 10
        assert float(reached.float().mean()) >= 0.9, loss
        _in_budget(res.x_adv, x, 0.3, "linf")


def test_apgd_t_attacks_the_top_classes_and_beats_untargeted_dlr(cnn, image_data, accuracy):
    _, _, x, y = image_data
    dlr = APGD(eps=0.1, steps=50, loss="dlr").run(cnn, x, y, generator=_gen())
    t = APGDT(eps=0.1, steps=50, n_target_classes=3).run(cnn, x, y, generator=_gen())
    assert accuracy(cnn, t.x_adv, y) <= accuracy(cnn, dlr.x_adv, y)


def test_apgd_refuses_both_target_forms_and_masked_gradients(cnn, image_data):
    with pytest.raises(ParamsError, match="not both"):
        APGD(target="next", n_target_classes=3)

    class Rounded(nn.Module):
        def forward(self, x):
            return cnn(torch.round(x * 4) / 4)

    _, _, x, y = image_data
    with pytest.raises(NoGradientError, match="exactly zero"):
        APGD(eps=0.1, steps=5).run(Rounded(), x[:8], y[:8])


def _score_ctx(model: nn.Module, n: int) -> PerturbContext:
    oracle = ScoreOracle(lambda t: torch.softmax(model(t), -1), num_classes=10)
    info = DataInfo(Task.CLASSIFICATION, Modality.IMAGE, (1, 8, 8), (0.0, 1.0), 10)
    return PerturbContext(info=info, seed=0, generator=_gen(), model=oracle)


@pytest.mark.parametrize("norm,eps", [("linf", 0.1), ("l2", 0.8)])
def test_square_works_on_scores_only_and_counts_queries(cnn, image_data, accuracy, norm, eps):
    _, _, x, y = image_data
    x, y = x[:128], y[:128]
    ctx = _score_ctx(cnn, x.shape[0])
    budget = 300
    x_adv = Square(eps=eps, norm=norm, max_queries=budget).perturb(x, y, ctx)
    _in_budget(x_adv, x, eps, norm)
    assert accuracy(cnn, x_adv, y) < accuracy(cnn, x, y) - 0.2
    q = ctx.stats["queries"]
    assert int(q.max()) <= budget + 1 and int(q.min()) >= 1
    assert int(q.sum()) == ctx.model.total_queries  # every model call was counted per sample
    won = ctx.stats["attack_succeeded"]
    assert torch.equal(won, cnn(x_adv).argmax(1) != y)
    first = ctx.stats["queries_to_success"]
    assert bool(torch.isfinite(first[won]).all()) and bool(torch.isnan(first[~won]).all())
    assert bool((q[~won] == budget + 1).all())  # a robust sample spent its whole budget


def test_square_refuses_the_module_and_non_images(cnn, image_data):
    _, _, x, y = image_data
    ctx = _score_ctx(cnn, 4)
    ctx.model = cnn
    with pytest.raises(PluginError, match="score function"):
        Square(eps=0.1).perturb(x[:4], y[:4], ctx)
    with pytest.raises(DataError, match=r"\(N, C, H, W\)"):
        Square(eps=0.1, max_queries=5).run(cnn, x[:4].flatten(1), y[:4])
