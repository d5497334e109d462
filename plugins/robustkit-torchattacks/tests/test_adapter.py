"""torchattacks attacks through the adapter: they lower accuracy in budget, map other data
bounds to [0, 1], are seeded, and bad arguments are refused at validation."""

import pytest
import torch

from robustkit import IncompatibleError
from robustkit.data import ScoreOracle
from robustkit.plan import PlanFacts, Resolved, run_component_check
from robustkit.plugins import get_registry

torchattacks = pytest.importorskip("torchattacks")


def _attack(name, **params):
    return get_registry().get("perturbation", name).build(params)


def _acc(model, x, y):
    with torch.no_grad():
        return float((model(x).argmax(1) == y).float().mean())


def test_ta_pgd_lowers_accuracy_within_budget_and_matches_torchattacks(trained, ctx_for):
    model, x, y = trained
    x_adv = _attack("ta-pgd", eps=0.15, alpha=0.03, steps=10, random_start=False).perturb(
        x, y, ctx_for(model))
    assert _acc(model, x_adv, y) < _acc(model, x, y) - 0.3
    assert float((x_adv - x).abs().max()) <= 0.15 + 1e-6
    direct = torchattacks.PGD(model, eps=0.15, alpha=0.03, steps=10, random_start=False)(x, y)
    assert torch.equal(x_adv, direct)


def test_other_bounds_are_mapped_to_the_unit_range(trained, ctx_for):
    from dataclasses import replace

    model, x, y = trained
    shifted = torch.nn.Sequential(_Affine(0.5, 2.0), model)  # same model on x' = 2 x - 1
    ctx = ctx_for(shifted)
    ctx.info = replace(ctx.info, bounds=(-1.0, 1.0))
    xs = 2 * x - 1
    out = _attack("ta-fgsm", eps=0.25).perturb(xs, y, ctx)
    assert float(out.min()) >= -1 and float(out.max()) <= 1
    # eps is a fraction of the range: 0.25 of a range of 2 is a change of at most 0.5
    assert 0.49 < float((out - xs).abs().max()) <= 0.5 + 1e-6
    assert _acc(shifted, out, y) < _acc(shifted, xs, y)


class _Affine(torch.nn.Module):
    def __init__(self, shift, scale):
        super().__init__()
        self.shift, self.scale = shift, scale

    def forward(self, x):
        return (x + 1) / self.scale


def test_random_start_is_seeded(trained, ctx_for):
    model, x, y = trained
    atk = _attack("ta-pgd", eps=0.1, alpha=0.02, steps=2)
    a, b = atk.perturb(x, y, ctx_for(model, 1)), atk.perturb(x, y, ctx_for(model, 1))
    assert torch.equal(a, b) and not torch.equal(a, atk.perturb(x, y, ctx_for(model, 2)))


def test_score_attack_only_queries_the_oracle(trained, ctx_for):
    model, x, y = trained
    oracle = ScoreOracle(lambda t: model(t), num_classes=4)
    x_adv = _attack("ta-spsa", eps=0.3, lr=0.05, nb_iter=20, nb_sample=32).perturb(x[:16], y[:16],
                                                                        ctx_for(oracle))
    assert oracle.total_queries > 16
    assert float((x_adv - x[:16]).abs().max()) <= 0.3 + 1e-6
    assert _acc(model, x_adv, y[:16]) < _acc(model, x[:16], y[:16])


def _check(name, modality="vector", **params):
    from robustkit.components import Modality, Task

    spec = get_registry().get("perturbation", name)
    facts = PlanFacts(task=Task.CLASSIFICATION, modality=Modality(modality), dataset="d",
                      model="m", defenses=(), differentiable=True)
    run_component_check(Resolved(None, spec, spec.validate_params(params)), facts)


def test_torchattacks_argument_checks_run_at_validation():
    with pytest.raises(IncompatibleError, match="ta-autoattack.*torchattacks refuses.*"
                                                "Not valid version"):
        _check("ta-autoattack", version="bogus", modality="image")
    with pytest.raises(IncompatibleError, match="ta-deepfool.*torchattacks refuses"):
        _check("ta-deepfool", targeted=True)  # DeepFool has no targeted mode
    _check("ta-pgd", targeted=True)
    for name in ("ta-pgd", "ta-cw", "ta-fgsm", "ta-spsa"):
        _check(name)  # they validate at their defaults


def test_image_only_attacks_are_refused_for_vector_data():
    with pytest.raises(IncompatibleError, match="ta-square.*image batches.*vector inputs"):
        _check("ta-square")
