"""Carlini-Wagner L2 on the synthetic task: success, bounds, kappa, binary search, no leaks."""

import pytest
import torch
from robustkit_optim_attacks.cw import CarliniWagnerL2
from robustkit_optim_attacks.params import CWL2Params
from robustkit_optim_attacks.scores import margin

from robustkit.errors import DataError, PluginError

FAST = dict(binary_search_steps=4, max_iterations=100, learning_rate=0.05)


@pytest.fixture(scope="module")
def cw_run(trained, kit):
    model, x, y = trained
    ctx = kit.context(model)
    x_adv = CarliniWagnerL2(CWL2Params(**FAST)).perturb(x, y, ctx)
    return x_adv, ctx


def test_cw_fools_nearly_every_correct_sample_inside_bounds(trained, cw_run, kit):
    model, x, y = trained
    x_adv, ctx = cw_run
    correct, fooled = kit.success(model, x, x_adv, y)
    assert fooled.sum() >= 0.99 * correct.sum()
    assert x_adv.shape == x.shape and x_adv.min() >= 0 and x_adv.max() <= 1
    l2 = (x_adv - x).flatten(1).norm(dim=1)[fooled]
    assert 0 < l2.mean() < 2.0  # small perturbations, not a saturated image
    assert torch.equal(ctx.stats["attack_succeeded"][correct], fooled[correct])


def test_cw_never_touches_the_model_parameters(trained, cw_run, kit):
    model, _, _ = trained
    assert all(p.grad is None for p in model.parameters())


def test_binary_search_lowers_distortion(trained, cw_run, kit):
    # one step with a large c succeeds but over-shoots; the search over c shrinks the perturbation
    model, x, y = trained
    x_adv, _ = cw_run
    one = CarliniWagnerL2(CWL2Params(**{**FAST, "binary_search_steps": 1,
                                        "initial_const": 10.0})).perturb(x, y, kit.context(model))
    _, ok_one = kit.success(model, x, one, y)
    _, ok_many = kit.success(model, x, x_adv, y)
    both = ok_one & ok_many
    l2 = lambda a: (a - x).flatten(1).norm(dim=1)[both].mean()  # noqa: E731
    assert l2(x_adv) < 0.9 * l2(one)


def test_confidence_buys_a_logit_margin(trained, kit):
    model, x, y = trained
    x, y = x[:20], y[:20]
    kappa = 5.0
    x_adv = CarliniWagnerL2(CWL2Params(**FAST, confidence=kappa)).perturb(x, y, kit.context(model))
    _, fooled = kit.success(model, x, x_adv, y)
    with torch.no_grad():
        m = margin(model(x_adv), y)[fooled]
    assert fooled.sum() >= 15 and (m <= -kappa + 1e-3).all()


def test_cw_refuses_a_score_oracle_and_nan_models(trained, kit):
    model, x, y = trained
    with pytest.raises(PluginError, match="needs the model's gradients"):
        CarliniWagnerL2(CWL2Params(**FAST)).perturb(x, y, kit.context(kit.oracle_of(model)))

    class NaNModel(torch.nn.Module):
        def forward(self, t):
            return model(t) * torch.nan

    with pytest.raises(DataError, match="NaN"):
        CarliniWagnerL2(CWL2Params(**FAST)).perturb(x, y, kit.context(NaNModel()))

    class Narrow(torch.nn.Module):
        def forward(self, t):
            return model(t)[:, :9]

    with pytest.raises(DataError, match=r"expected \(80, 10\)"):
        CarliniWagnerL2(CWL2Params(**FAST)).perturb(x, y, kit.context(Narrow()))
    assert kit.INFO.num_classes == 10


@pytest.mark.parametrize("how", ["next", "random", "least-likely"])
def test_targeted_cw_reaches_its_targets(trained, kit, how):
    model, x, y = trained
    ctx = kit.context(model)
    x_adv = CarliniWagnerL2(CWL2Params(**FAST, target=how, initial_const=1.0)).perturb(x, y, ctx)
    target = ctx.stats["target"]
    with torch.no_grad():
        correct = model(x).argmax(1) == y
        hit = model(x_adv).argmax(1) == target
    assert (target != y).all()
    assert hit[correct].float().mean() >= 0.9
    assert torch.equal(ctx.stats["attack_succeeded"][correct], hit[correct])
    if how == "least-likely":
        with torch.no_grad():
            assert torch.equal(target, model(x).argmin(1))
