"""The pluggable losses: their definitions, and the engine running on each of them."""

from __future__ import annotations

import pytest
import torch
from robustkit_attacks import pgd
from robustkit_attacks.engine import AttackConfig, run_attack
from robustkit_attacks.losses import LOSSES, dlr, get_loss, margin
from torch import nn

from robustkit.errors import DataError, ParamsError


def test_dlr_matches_its_definition_and_ignores_scale_and_shift():
    z = torch.tensor([[3.0, 1.0, 0.5, -2.0], [0.0, 4.0, 1.0, 2.0]])
    y = torch.tensor([0, 0])
    # row 0: label on top -> -(3 - 1) / (3 - 0.5); row 1: -(0 - 4) / (4 - 1)
    expected = torch.tensor([-2 / 2.5, 4 / 3])
    assert torch.allclose(dlr(z, y), expected)
    assert torch.allclose(dlr(7 * z + 3, y), expected, atol=1e-6)
    # targeted (Croce & Hein eq. 7): -(z_y - z_t) / (z_pi1 - (z_pi3 + z_pi4) / 2)
    t = torch.tensor([2, 3])
    got = dlr(z, t, targeted=True, true=y)
    want = torch.tensor([-(3 - 0.5) / (3 - (0.5 - 2) / 2), -(0 - 2) / (4 - (1 + 0) / 2)])
    assert torch.allclose(got, want)


def test_margin_is_positive_exactly_when_the_goal_is_reached():
    z = torch.tensor([[2.0, 1.0, 0.0], [0.0, 3.0, 1.0]])
    y = torch.tensor([0, 0])
    assert margin(z, y).tolist() == [-1.0, 3.0]
    assert margin(z, torch.tensor([1, 1]), targeted=True).tolist() == [-1.0, 2.0]


def test_unknown_loss_and_bad_temperature_are_clear_errors():
    with pytest.raises(ParamsError, match="unknown attack loss 'hinge'"):
        get_loss("hinge")
    with pytest.raises(ParamsError, match="temperature > 0"):
        get_loss("ce-t", temperature=0.0)
    with pytest.raises(DataError, match="at least 3 classes"):
        dlr(torch.zeros(2, 2), torch.zeros(2, dtype=torch.int64))


@pytest.mark.parametrize("loss", LOSSES)
def test_pgd_with_every_loss_lowers_accuracy_within_budget(cnn, image_data, accuracy, loss):
    _, _, x, y = image_data
    x, y = x[:96], y[:96]
    eps = 0.15
    x_adv = pgd(cnn, x, y, eps=eps, steps=10, loss=loss, temperature=10.0,
                generator=torch.Generator().manual_seed(0))
    assert float((x_adv - x).abs().max()) <= eps + 1e-6
    assert 0.0 <= float(x_adv.min()) and float(x_adv.max()) <= 1.0
    assert accuracy(cnn, x_adv, y) < accuracy(cnn, x, y) - 0.2


def test_default_loss_is_bit_identical_to_naming_ce(cnn, image_data):
    _, _, x, y = image_data
    a = pgd(cnn, x[:64], y[:64], eps=0.1, generator=torch.Generator().manual_seed(3))
    b = pgd(cnn, x[:64], y[:64], eps=0.1, loss="ce", generator=torch.Generator().manual_seed(3))
    assert torch.equal(a, b)


def test_the_engine_takes_a_regression_loss_and_success_test():
    """A forecasting-style use: push a regressor's output up until it passes a threshold."""
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(6, 8), nn.Tanh(), nn.Linear(8, 1)).eval()
    x = torch.rand(32, 6)
    goal = torch.zeros(32, dtype=torch.int64)  # unused by the loss; the engine carries it

    def up(out, labels, *, targeted, true):
        return out.squeeze(1)

    base = model(x).squeeze(1).detach()

    def passed(out, labels, targeted):
        return out.squeeze(1) > base[: out.shape[0]] + 10  # never reached: all steps run

    cfg = AttackConfig(eps=0.05, alpha=0.01, steps=10, loss=up, success=passed)
    res = run_attack(model, x, goal, cfg)
    after = model(res.x_adv).squeeze(1).detach()
    assert bool((after >= base - 1e-6).all()) and float((after - base).mean()) > 0
    assert float((res.x_adv - x).abs().max()) <= 0.05 + 1e-6
