"""Fast vs exact mode of the gradient attacks, and the bound that holds between them.

Exact mode reproduces torchattacks: the loss is the batch *mean* of the cross-entropy, so
every per-sample gradient is divided by the batch size. Fast mode sums. On a model whose
softmax nearly saturates (defensive distillation), some per-sample gradients lie just above
float32's smallest subnormal (1.4e-45): divided by N they underflow to exactly 0 and a sign
step leaves those pixels (or the whole sample) where they are. So exact mode is weaker there,
by at most the share of samples whose gradient sign differs between the two losses — measured
on digits with logits scaled by 10: 3.8 points of FGSM (ε = 0.2) gap, 9.7 % of samples
differing; with unscaled logits no sample differs and the modes agree.
"""

from __future__ import annotations

import pytest
import torch
import torch.nn.functional as F
from torch import nn

from robustkit.components import DataInfo, Kind, Modality, Task
from robustkit.data import PerturbContext, make_generator
from robustkit.plugins import get_registry

INFO = DataInfo(Task.CLASSIFICATION, Modality.VECTOR, (64,), (0.0, 1.0), num_classes=10)


@pytest.fixture(scope="module")
def digits_mlp():
    from sklearn.datasets import load_digits

    torch.manual_seed(0)
    d = load_digits()
    x = torch.tensor(d.data / 16.0, dtype=torch.float32)
    y = torch.tensor(d.target)
    net = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))
    opt = torch.optim.Adam(net.parameters(), lr=0.01)
    for _ in range(100):
        opt.zero_grad()
        F.cross_entropy(net(x[:1300]), y[:1300]).backward()
        opt.step()
    return net.eval(), x[1300:], y[1300:]


class _Scaled(nn.Module):
    """Logits times k: the same predictions, a softmax that saturates as k grows."""

    def __init__(self, net: nn.Module, k: float):
        super().__init__()
        self.net, self.k = net, k

    def forward(self, x):
        return self.net(x) * self.k


def _sign_differs(model, x, y) -> float:
    """Share of samples whose input-gradient sign differs between summed and mean loss."""
    signs = []
    for reduction in ("sum", "mean"):
        xx = x.clone().requires_grad_(True)
        (g,) = torch.autograd.grad(F.cross_entropy(model(xx), y, reduction=reduction), xx)
        signs.append(g.sign())
    return float((signs[0] != signs[1]).any(1).float().mean())


def _fgsm_accuracy(model, x, y, exact: bool) -> float:
    atk = get_registry().get(Kind.PERTURBATION, "fgsm").build({"eps": 0.2, "exact": exact})
    ctx = PerturbContext(info=INFO, seed=0, generator=make_generator(0, "p"), model=model)
    with torch.no_grad():
        return float((model(atk.perturb(x, y, ctx)).argmax(1) == y).float().mean())


def test_modes_agree_within_half_a_point_when_no_gradient_underflows(digits_mlp):
    net, x, y = digits_mlp
    assert _sign_differs(net, x, y) == 0.0
    assert abs(_fgsm_accuracy(net, x, y, True) - _fgsm_accuracy(net, x, y, False)) <= 0.005


@pytest.mark.parametrize("k", [10.0, 15.0])
def test_exact_is_weaker_by_at_most_the_share_of_underflowing_samples(digits_mlp, k):
    net, x, y = digits_mlp
    model = _Scaled(net, k)
    differs = _sign_differs(model, x, y)
    fast, exact = _fgsm_accuracy(model, x, y, False), _fgsm_accuracy(model, x, y, True)
    assert differs > 0.02  # the batch mean did push gradients under float32's range
    assert exact - fast > 0.005  # so the documented 0.5 points do not hold here ...
    assert fast <= exact <= fast + differs  # ... but this bound does
