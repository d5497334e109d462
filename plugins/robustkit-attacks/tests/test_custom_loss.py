"""The engine serves losses other than classification's: real-valued targets of any shape go
through as they are (the forecasting plugin's ts-pgd runs on it); class labels stay checked."""

import pytest
import torch
from robustkit_attacks.engine import AttackConfig, check_inputs, run_attack

from robustkit.errors import DataError


def _squared_error(outputs, targets, *, targeted=False, true=None):
    return (outputs.reshape(targets.shape[0], -1) - targets).pow(2).sum(dim=1)


def _never(outputs, targets, targeted):
    return torch.zeros(targets.shape[0], dtype=torch.bool)


def test_a_regression_loss_raises_the_error_within_the_budget():
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(12, 3))
    x = torch.rand(16, 4, 3)
    y = model(x).detach() + 0.05  # a close forecast: the attack must make it worse
    cfg = AttackConfig(eps=0.1, alpha=0.025, steps=10, loss=_squared_error, success=_never)
    adv = run_attack(model, x, y, cfg).x_adv
    assert (adv - x).abs().max() <= 0.1 + 1e-6 and adv.min() >= 0 and adv.max() <= 1
    before = float(_squared_error(model(x), y).mean())
    assert float(_squared_error(model(adv), y).mean()) > 2 * before


def test_targets_are_checked_per_kind_of_loss():
    x = torch.rand(4, 3)
    check_inputs(x, torch.rand(4, 2), (0.0, 1.0), classify=False)
    with pytest.raises(DataError, match="one row per input"):
        check_inputs(x, torch.rand(3, 2), (0.0, 1.0), classify=False)
    with pytest.raises(DataError, match="integer class indices"):
        check_inputs(x, torch.rand(4), (0.0, 1.0))
