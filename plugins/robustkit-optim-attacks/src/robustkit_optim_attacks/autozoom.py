"""AutoZOOM: autoencoder-based zeroth-order optimisation (Tu et al. 2019, AAAI).

The gradient of the objective in a ``d``-dimensional attack space is estimated from ``q``
random directions ``u_j`` drawn uniformly on the unit sphere:
``g = d / (q beta) * sum_j (f(z + beta u_j) - f(z)) u_j``, costing ``q + 1`` queries.
Adaptive averaging uses ``q = 1`` until a sample first succeeds (cheap, noisy steps find an
adversarial example fast) and a larger ``q`` afterwards (precise steps lower the distortion).
The attack space is the image, a bilinearly resized square, or an autoencoder's latent code.
"""

from __future__ import annotations

import torch

from robustkit.data import PerturbContext, derive_seed
from robustkit_optim_attacks.params import AutoZoomParams
from robustkit_optim_attacks.space import DecoderSpace, FullSpace, ResizeSpace
from robustkit_optim_attacks.tracking import Tracker

_BETA1, _BETA2, _EPS = 0.9, 0.999, 1e-8


class _Adam:
    """Plain per-sample ADAM over the whole attack space."""

    def __init__(self, n: int, dim: int):
        self.m = torch.zeros(n, dim, dtype=torch.float64)
        self.v = torch.zeros(n, dim, dtype=torch.float64)
        self.t = torch.zeros(n, 1, dtype=torch.float64)

    def reset(self, rows: torch.Tensor) -> None:
        self.m[rows], self.v[rows], self.t[rows] = 0.0, 0.0, 0.0

    def step(self, rows: torch.Tensor, g: torch.Tensor, lr: torch.Tensor) -> torch.Tensor:
        self.m[rows] = _BETA1 * self.m[rows] + (1 - _BETA1) * g
        self.v[rows] = _BETA2 * self.v[rows] + (1 - _BETA2) * g * g
        self.t[rows] += 1
        m_hat = self.m[rows] / (1 - _BETA1 ** self.t[rows])
        v_hat = self.v[rows] / (1 - _BETA2 ** self.t[rows])
        return -lr * m_hat / (v_hat.sqrt() + _EPS)


class AutoZoom:
    """AutoZOOM, untargeted or targeted. Receives scores only (``needs="scores"``)."""

    name = "autozoom"

    def __init__(self, params: AutoZoomParams):
        self.p = params

    def _space(self, x: torch.Tensor, ctx: PerturbContext):
        shape = tuple(x.shape[1:])
        if self.p.reduction == "resize":
            return ResizeSpace(shape, self.p.attack_size, self.name)
        if self.p.reduction == "autoencoder":
            space = DecoderSpace(shape, self.p.latent_channels, self.name)
            # unlabelled data: the inputs under attack, without labels or model queries
            mse = space.fit(x, self.p.autoencoder_epochs, derive_seed(ctx.seed, "autoencoder"))
            ctx.stats["autoencoder_mse"] = mse
            return space
        return FullSpace(shape)

    def perturb(self, x: torch.Tensor, y: torch.Tensor, ctx: PerturbContext) -> torch.Tensor:
        p = self.p
        track = Tracker.start(self.name, p, x, y, ctx)
        space = self._space(x, ctx)
        n, d = x.shape[0], space.dim
        lo, hi = ctx.info.bounds
        z = torch.zeros(n, d, dtype=torch.float64)
        adam = _Adam(n, d)
        while True:
            adam.reset(track.next_stages())  # a new c: the old moments mean nothing
            q = torch.where(track.succeeded, p.directions_after_success, p.directions)
            idx = (track.budget() >= q + 1).nonzero().squeeze(1)
            if idx.numel() == 0:
                break
            # samples with the same q share one batched query
            for qv in q[idx].unique().tolist():
                rows = idx[q[idx] == qv]
                z[rows] += self._step(rows, z[rows], int(qv), space, track, adam, x, ctx)
            z = z.clamp(-(hi - lo), hi - lo)
        return track.finish(ctx.stats).to(x.dtype)

    def _step(self, rows, z, q, space, track, adam, x, ctx) -> torch.Tensor:
        p, d = self.p, space.dim
        u = torch.randn(rows.numel(), q, d, generator=ctx.generator, dtype=torch.float64)
        u = u / u.norm(dim=2, keepdim=True)
        probe = torch.cat([z[:, None], z[:, None] + p.smoothing * u], 1)  # (n, q + 1, d)
        delta = space.to_input(probe.reshape(-1, d).to(x.dtype))
        cand = track.candidates(rows, delta.reshape(rows.numel(), q + 1, *x.shape[1:]))
        before = track.succeeded[rows]
        loss = track.score(rows, cand)
        # refinement starts afresh: the exploration momentum points across the boundary
        adam.reset(rows[track.succeeded[rows] & ~before])
        lr = torch.where(track.succeeded[rows], p.refine_learning_rate, p.learning_rate)
        diff = (loss[:, 1:] - loss[:, :1]) / p.smoothing  # (n, q)
        g = (d / q) * (diff[:, :, None] * u).sum(1)
        return adam.step(rows, g, lr.to(torch.float64)[:, None])
