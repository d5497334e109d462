"""A minimal PGD-L2 (Madry et al. 2018), kept only as the yardstick for the claim "C&W finds
smaller perturbations than PGD-L2 at equal success". It is not registered as a component;
robustkit's gradient-attack plugin provides the real PGD.

:func:`pgd_l2_at_success` bisects over the budget epsilon for the smallest one whose success
rate reaches a target, so that both attacks are compared at the same success rate.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


def _project_l2(delta: torch.Tensor, eps: float) -> torch.Tensor:
    norm = delta.flatten(1).norm(dim=1).clamp_min(1e-12)
    factor = (eps / norm).clamp(max=1.0)
    return delta * factor.view(-1, *[1] * (delta.dim() - 1))


def pgd_l2(model: nn.Module, x: torch.Tensor, y: torch.Tensor, eps: float, *, steps: int = 50,
           bounds: tuple[float, float] = (0.0, 1.0)) -> torch.Tensor:
    """Untargeted PGD in an L2 ball of radius ``eps`` from the clean input (no random start),
    step ``2.5 eps / steps`` along the normalised cross-entropy gradient."""
    lo, hi = bounds
    step = 2.5 * eps / steps
    delta = torch.zeros_like(x)
    with torch.enable_grad():
        for _ in range(steps):
            delta.requires_grad_(True)
            loss = F.cross_entropy(model((x + delta).clamp(lo, hi)), y)
            (grad,) = torch.autograd.grad(loss, delta)
            g = grad / grad.flatten(1).norm(dim=1).clamp_min(1e-12).view(-1, *[1] * (x.dim() - 1))
            delta = _project_l2(delta.detach() + step * g, eps)
            delta = (x + delta).clamp(lo, hi) - x
    return (x + delta).detach()


def success_rate(model: nn.Module, x: torch.Tensor, x_adv: torch.Tensor, y: torch.Tensor) -> float:
    """The plugin's definition: fooled among originally correct samples."""
    with torch.no_grad():
        correct = model(x).argmax(1) == y
        fooled = model(x_adv).argmax(1) != y
    return float((correct & fooled).sum()) / max(1, int(correct.sum()))


def pgd_l2_at_success(model: nn.Module, x: torch.Tensor, y: torch.Tensor, target: float, *,
                      hi_eps: float = 8.0, rounds: int = 12, steps: int = 50,
                      bounds: tuple[float, float] = (0.0, 1.0)) -> tuple[float, torch.Tensor]:
    """Smallest epsilon (to ``hi_eps / 2**rounds``) whose PGD-L2 success reaches ``target``;
    returns it and the adversarial examples found with it."""
    lo_eps, best = 0.0, None
    best_eps = hi_eps
    for _ in range(rounds):
        mid = (lo_eps + hi_eps) / 2
        adv = pgd_l2(model, x, y, mid, steps=steps, bounds=bounds)
        if success_rate(model, x, adv, y) >= target:
            hi_eps, best, best_eps = mid, adv, mid
        else:
            lo_eps = mid
    if best is None:
        best = pgd_l2(model, x, y, best_eps, steps=steps, bounds=bounds)
    return best_eps, best
