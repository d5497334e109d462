"""ZOO: zeroth-order optimisation attack (Chen et al. 2017, AISec).

Each iteration picks ``B`` attack-space coordinates per sample and estimates the partial
derivatives of the objective by symmetric finite differences,
``g_i = (f(z + h e_i) - f(z - h e_i)) / 2h`` and, for ZOO-Newton,
``h_ii = (f(z + h e_i) - 2 f(z) + f(z - h e_i)) / h^2``: ``2B + 1`` queries per sample. Only the
chosen coordinates move, by a per-coordinate ADAM step or a Newton step ``-eta g_i / h_ii``.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from robustkit.data import PerturbContext
from robustkit_optim_attacks.params import ZooParams
from robustkit_optim_attacks.space import FullSpace, ResizeSpace
from robustkit_optim_attacks.tracking import Tracker

_BETA1, _BETA2, _EPS = 0.9, 0.999, 1e-8


class _CoordinateAdam:
    """ADAM whose moments and step counts are kept per coordinate, as ZOO updates only a few
    coordinates at a time (Chen et al. 2017, Algorithm 2)."""

    def __init__(self, n: int, dim: int):
        self.m = torch.zeros(n, dim, dtype=torch.float64)
        self.v = torch.zeros(n, dim, dtype=torch.float64)
        self.t = torch.zeros(n, dim, dtype=torch.float64)

    def reset(self, rows: torch.Tensor) -> None:
        self.m[rows], self.v[rows], self.t[rows] = 0.0, 0.0, 0.0

    def step(self, rows: torch.Tensor, cols: torch.Tensor, g: torch.Tensor, lr: torch.Tensor):
        r = rows[:, None].expand_as(cols)
        m = _BETA1 * self.m[r, cols] + (1 - _BETA1) * g
        v = _BETA2 * self.v[r, cols] + (1 - _BETA2) * g * g
        t = self.t[r, cols] + 1
        self.m[r, cols], self.v[r, cols], self.t[r, cols] = m, v, t
        m_hat = m / (1 - _BETA1**t)
        v_hat = v / (1 - _BETA2**t)
        return -lr * m_hat / (v_hat.sqrt() + _EPS)


def _newton_step(g: torch.Tensor, hess: torch.Tensor, lr: torch.Tensor) -> torch.Tensor:
    # a non-positive curvature estimate says nothing about the step length: fall back to -lr*g
    safe = hess > 0
    return torch.where(safe, -lr * g / hess.clamp_min(1e-12), -lr * g)


def _importance(z: torch.Tensor, space) -> torch.Tensor:
    """Sampling weights from the max-pooled magnitude of the perturbation in attack space;
    a floor of the mean weight keeps every coordinate reachable (ZOO section 4.4)."""
    mag = z.abs()
    if isinstance(space, ResizeSpace) or (isinstance(space, FullSpace) and len(space.shape) == 3):
        shape = (space.image[0], space.size, space.size) if isinstance(space, ResizeSpace) \
            else space.shape
        pooled = F.max_pool2d(mag.reshape(-1, *shape).float(), 3, stride=1, padding=1)
        mag = pooled.reshape(z.shape[0], -1).to(z.dtype)
    return mag + mag.mean(1, keepdim=True) + 1e-12


class Zoo:
    """ZOO-ADAM / ZOO-Newton, untargeted or targeted, with attack-space reduction,
    hierarchical attack and importance sampling. Receives scores only (``needs="scores"``)."""

    name = "zoo"

    def __init__(self, params: ZooParams):
        self.p = params

    def _space(self, shape):
        if self.p.attack_size is None:
            return FullSpace(shape)
        return ResizeSpace(shape, self.p.attack_size, self.name)

    @staticmethod
    def _project(z, x, space, bounds):
        # ZOO's projection P_X: in the full space keep x + z inside the bounds, so that no
        # coordinate drifts where clipping makes its finite difference zero
        lo, hi = bounds
        if isinstance(space, FullSpace):
            flat = x.reshape(x.shape[0], -1).to(z.dtype)
            return torch.maximum(torch.minimum(z, hi - flat), lo - flat)
        return z.clamp(-(hi - lo), hi - lo)

    def perturb(self, x: torch.Tensor, y: torch.Tensor, ctx: PerturbContext) -> torch.Tensor:
        p = self.p
        track = Tracker.start(self.name, p, x, y, ctx)
        space = self._space(tuple(x.shape[1:]))
        n = x.shape[0]
        z = torch.zeros(n, space.dim, dtype=torch.float64)
        adam = _CoordinateAdam(n, space.dim)
        sizes = list(p.hierarchy)
        spent = 0  # queries per sample since the start, for the hierarchy schedule
        while True:
            adam.reset(track.next_stages())  # a new c: the old moments mean nothing
            if sizes and spent >= p.hierarchy_every * (len(p.hierarchy) - len(sizes) + 1):
                space, z = space.grow(z, sizes.pop(0))
                adam = _CoordinateAdam(n, space.dim)  # a new space: the old moments mean nothing
            b = min(p.coordinates, space.dim)
            cost = 2 * b + 1
            idx = (track.budget() >= cost).nonzero().squeeze(1)
            if idx.numel() == 0:
                break
            weights = _importance(z[idx], space) if p.importance_sampling \
                else torch.ones(idx.numel(), space.dim, dtype=torch.float64)
            cols = torch.multinomial(weights, b, replacement=False, generator=ctx.generator)
            # candidates: z, then z + h e_i for each chosen i, then z - h e_i
            probe = z[idx][:, None].repeat(1, cost, 1)
            k = torch.arange(b)
            rows = torch.arange(idx.numel())[:, None].expand(-1, b)
            probe[rows, 1 + k, cols] += p.step
            probe[rows, 1 + b + k, cols] -= p.step
            delta = space.to_input(probe.reshape(-1, space.dim).to(x.dtype))
            cand = track.candidates(idx, delta.reshape(idx.numel(), cost, *x.shape[1:]))
            before = track.succeeded[idx]
            loss = track.score(idx, cand)
            # refinement starts afresh: the exploration momentum points across the boundary
            adam.reset(idx[track.succeeded[idx] & ~before])
            lr = torch.where(track.succeeded[idx], p.refine_learning_rate, p.learning_rate)
            lr = lr.to(torch.float64)[:, None]
            f0, fp, fm = loss[:, :1], loss[:, 1 : 1 + b], loss[:, 1 + b :]
            g = (fp - fm) / (2 * p.step)
            if p.solver == "newton":
                move = _newton_step(g, (fp - 2 * f0 + fm) / p.step**2, lr)
            else:
                move = adam.step(idx, cols, g, lr)
            z[idx[:, None].expand_as(cols), cols] += move
            z[idx] = self._project(z[idx], x[idx], space, ctx.info.bounds)
            spent += cost
        return track.finish(ctx.stats).to(x.dtype)
