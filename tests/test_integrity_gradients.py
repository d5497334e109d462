"""The zero-gradients check counts exact zeros per element, not from an underflowing norm."""

from __future__ import annotations

import torch
from torch import nn

from robustkit import integrity as ig


def test_census_separates_exact_zeros_from_underflowing_gradients():
    grad = torch.zeros(10, 64)
    grad[4:8, 3] = 1e-30  # non-zero, but 1e-60 underflows float32: norm() reads 0
    grad[8:, :] = 1e-3  # healthy
    assert float(grad[4].norm()) == 0.0  # the old test would have called these zero
    c = ig.gradient_census(grad)
    assert (c.n, c.exact_zero, c.underflowing, c.vanishing) == (10, 4, 4, 4)


class _Tiny(nn.Module):
    """Logits with a margin that saturates the softmax only for some inputs."""

    def __init__(self, scale: torch.Tensor):
        super().__init__()
        self.w = nn.Parameter(torch.tensor([[1.0, -1.0]]))
        self.scale = scale

    def forward(self, x):
        return (x[:, :1] * self.scale[: x.shape[0], None]) @ self.w


def test_check_reports_tiny_nonzero_gradients_as_vanishing_not_zero():
    x = torch.full((20, 8), 1.0)
    # margins 2 * scale: 40 -> p_other = e^-80 ~ 2e-35, gradients non-zero but far below
    # 1e-19 (the float32 norm of their square underflows); 200 -> e^-400 = 0 exactly
    scale = torch.tensor([40.0] * 12 + [200.0] * 8)
    model = _Tiny(scale)
    y = torch.zeros(20, dtype=torch.long)
    grad = ig.input_gradients(model, x, y)
    c = ig.gradient_census(grad)
    assert c.exact_zero == 8 and c.vanishing == 12 and c.underflowing == 12
    assert int((grad.flatten(1).norm(dim=1) == 0).sum()) == 20  # what the old check counted
    flags = {f.check: f.message for f in ig.check_gradients(model, x, y, "pgd")}
    assert set(flags) == {"zero-gradients", "vanishing-gradients"}
    assert flags["zero-gradients"].startswith("40.0% of test inputs have an input gradient")
    assert "60.0% of test inputs have a non-zero input gradient" in flags["vanishing-gradients"]


def test_healthy_gradients_stay_quiet():
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 3))
    x, y = torch.rand(32, 4), torch.randint(0, 3, (32,))
    assert ig.check_gradients(model, x, y, "pgd") == []
