"""GCE and SCE formulas, and the AWL weight schedule."""

from __future__ import annotations

import math

import pytest
import torch
import torch.nn.functional as F
from robustkit_label_noise.awl import AdaptiveWeights
from robustkit_label_noise.losses import generalized_cross_entropy, symmetric_cross_entropy
from robustkit_label_noise.params import AWLParams


def _logits():
    gen = torch.Generator().manual_seed(0)
    return torch.randn(50, 4, generator=gen) * 3, torch.randint(0, 4, (50,), generator=gen)


def test_gce_limits():
    logits, y = _logits()
    ce = F.cross_entropy(logits, y, reduction="none")
    assert torch.allclose(generalized_cross_entropy(logits, y, 1e-4), ce, atol=1e-2 * ce.max())
    p_y = torch.softmax(logits, 1).gather(1, y[:, None]).squeeze(1)
    assert torch.allclose(generalized_cross_entropy(logits, y, 1.0), 1 - p_y, atol=1e-6)
    assert float(generalized_cross_entropy(logits * 100, y, 0.7).max()) <= 1 / 0.7 + 1e-6


def test_sce_is_ce_plus_bounded_reverse_term():
    logits, y = _logits()
    ce = F.cross_entropy(logits, y, reduction="none")
    p_y = torch.softmax(logits, 1).gather(1, y[:, None]).squeeze(1)
    out = symmetric_cross_entropy(logits, y, alpha=0.1, beta=1.0, log_zero=-4.0)
    assert torch.allclose(out, 0.1 * ce + 4.0 * (1 - p_y), atol=1e-5)


def test_awl_is_uniform_in_warmup_then_suppresses_high_loss_samples():
    n, epochs = 400, 10
    x = torch.zeros(n, 3)
    y = torch.arange(n) % 4
    aw = AdaptiveWeights(AWLParams(warmup=0.2, ramp=0.2, hardness=0.0), x, y, epochs)
    assert aw.mix(0) == aw.mix(1) == 0.0 and 0 < aw.mix(2) < 1 and aw.mix(3) == 1.0
    assert torch.equal(aw.weights(torch.arange(n), 0), torch.ones(n, dtype=torch.float64))
    # a quarter of the samples fit their labels (low loss), the rest do not
    gen = torch.Generator().manual_seed(0)
    clean = (torch.arange(n) // 4) % 4 == 0  # a quarter of every class
    losses = torch.where(clean, 0.3, 2.5) + 0.1 * torch.randn(n, generator=gen)
    aw.record(torch.arange(n), losses)
    aw.fitted_epoch = -1
    w = aw.weights(torch.arange(n), 5)
    assert float(w[clean].min()) > 2.0 and float(w[~clean].max()) < 0.05


def test_awl_emphasises_hard_but_surely_clean_samples():
    n = 400
    x, y = torch.zeros(n, 3), torch.zeros(n, dtype=torch.long)
    aw = AdaptiveWeights(AWLParams(hardness=1.0, warmup=0.0, ramp=0.0), x, y, 10)
    clean = torch.arange(n) < 100
    losses = torch.where(clean, torch.linspace(0.1, 0.5, n), torch.full((n,), 3.0))
    aw.record(torch.arange(n), losses + 0.01 * torch.randn(n))
    w = aw.weights(torch.arange(n), 3)
    # among the clean samples, the harder ones weigh more
    assert float(w[90:100].mean()) > 1.5 * float(w[:10].mean())
    assert math.isclose(float(w.mean()), 1.0, rel_tol=1e-6)


@pytest.mark.parametrize("bad", [{"warmup": 1.0}, {"threshold": -0.1}, {"bogus": 1}])
def test_awl_params_are_checked(bad):
    from robustkit.errors import ParamsError
    from robustkit.registry import Kind, make_spec

    spec = make_spec(Kind.DEFENSE, "awl-loss", lambda p: p, "t", params=AWLParams,
                     form="training")
    with pytest.raises(ParamsError):
        spec.validate_params(bad)
