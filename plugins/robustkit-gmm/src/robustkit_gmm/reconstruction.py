"""Robust reconstruction: regress each input on what clean data and lighting can explain, with
the residual noise modelled by a zero-mean Gaussian mixture (Guo 2023, applied as in robust
regression-based recognition).

Each test input ``x`` (flattened to ``D`` values) is modelled as

    x = m * (mu + P a) + L b + e,     m = 1 + L c,

where ``mu + P a`` is the input in the span of the clean training data's leading principal
components, ``L`` holds per-channel lighting planes (a constant and a linear ramp along each
image axis), ``L b`` is additive light (glare, haze) and ``m`` a smooth multiplicative gain
(shade). The residual ``e`` follows a mixture ``sum_k pi_k N(0, s_k^2)`` whose parameters are
refitted by EM for every input, and the coefficients by weighted least squares with the mixture's
per-value precisions, alternating a few times. The clean estimate ``mu + P a`` (clipped to the
data bounds) goes on to the classifier; the lighting terms are discarded.

Everything is batched torch, so the transform is differentiable and white-box attacks through it
are exact.
"""

from __future__ import annotations

import math

import torch

from robustkit.data import DataBundle, DefenseContext
from robustkit.errors import DataError, PluginError
from robustkit_gmm.params import ReconstructionParams

_RIDGE = 1e-6  # keeps the normal equations solvable when a plane is constant on an input


def lighting_basis(shape: tuple[int, ...]) -> torch.Tensor:
    """(D, 3C) per-channel lighting planes for (C, H, W) inputs: 1, x ramp, y ramp."""
    if len(shape) != 3:
        return torch.ones(math.prod(shape), 1, dtype=torch.float64)
    c, h, w = shape
    yy, xx = torch.meshgrid(torch.linspace(-1, 1, h, dtype=torch.float64),
                            torch.linspace(-1, 1, w, dtype=torch.float64), indexing="ij")
    planes = torch.stack([torch.ones(h * w, dtype=torch.float64), xx.flatten(), yy.flatten()],
                         1)
    basis = torch.zeros(c * h * w, 3 * c, dtype=torch.float64)
    for ch in range(c):
        basis[ch * h * w:(ch + 1) * h * w, 3 * ch:3 * ch + 3] = planes
    return basis


def _weighted_solve(a: torch.Tensor, t: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
    """Per-row weighted least squares: argmin_c sum_d w_d (t_d - (a c)_d)^2 for a (N, D, p)."""
    aw = a * w.unsqueeze(-1)
    gram = aw.transpose(1, 2) @ a
    gram = gram + _RIDGE * torch.eye(a.shape[-1], dtype=a.dtype, device=a.device)
    rhs = aw.transpose(1, 2) @ t.unsqueeze(-1)
    return torch.linalg.solve(gram, rhs).squeeze(-1)


class BatchMixture:
    """A zero-mean Gaussian mixture per row of residuals, fitted by EM for all rows at once."""

    def __init__(self, residuals: torch.Tensor, components: int):
        # robust (MAD) scale, then components spread upwards from it, as in NoiseMixture
        mad = (residuals - residuals.median(1, keepdim=True).values).abs().median(1).values
        scale = 1.4826 * mad.unsqueeze(1) + 1e-4
        spread = 4.0 ** torch.arange(components, dtype=residuals.dtype,
                                     device=residuals.device)
        self.variances = (scale * spread) ** 2
        weights = torch.full((components,), 0.2 / max(components - 1, 1),
                             dtype=residuals.dtype, device=residuals.device)
        weights[0] = 0.8 if components > 1 else 1.0
        self.weights = weights.expand(residuals.shape[0], -1).clone()

    def responsibilities(self, r: torch.Tensor) -> torch.Tensor:
        """(N, D, K) posterior of each component for each residual."""
        var = self.variances.unsqueeze(1)
        log_joint = (torch.log(self.weights.unsqueeze(1) + 1e-300)
                     - 0.5 * (torch.log(2 * math.pi * var) + r.unsqueeze(-1) ** 2 / var))
        return torch.softmax(log_joint, dim=-1)

    def fit(self, r: torch.Tensor, iters: int) -> torch.Tensor:
        """Run EM; return the per-value precision weights sum_k gamma_k / s_k^2 (row max 1)."""
        for _ in range(iters):
            resp = self.responsibilities(r)
            mass = resp.sum(1) + 1e-12
            self.weights = mass / mass.sum(1, keepdim=True)
            self.variances = ((resp * r.unsqueeze(-1) ** 2).sum(1) / mass).clamp_min(1e-8)
        resp = self.responsibilities(r)
        w = (resp / self.variances.unsqueeze(1)).sum(-1)
        return w / w.amax(1, keepdim=True)


class RobustReconstruction:
    """Input-transform defense: the clean part of each input under the model above."""

    def __init__(self, params: ReconstructionParams):
        self.p = params
        self.mean: torch.Tensor | None = None  # (D,)
        self.basis: torch.Tensor | None = None  # (D, k)
        self.lighting: torch.Tensor | None = None  # (D, L)
        self.shape: tuple[int, ...] = ()
        self.bounds = (0.0, 1.0)

    def fit(self, data: DataBundle, ctx: DefenseContext) -> None:
        self.shape = tuple(data.info.input_shape)
        features = math.prod(self.shape)
        x = data.x_train.flatten(1).detach().cpu().double()
        limit = min(features, x.shape[0])
        if self.p.components > limit:
            raise DataError(
                f"gmm-reconstruction: components={self.p.components} but the training data "
                f"allow at most {limit} ({features} values per input, {x.shape[0]} inputs); "
                f"choose components <= {limit}")
        self.mean = x.mean(0)
        # principal directions of the clean training inputs, as columns
        _, _, vt = torch.linalg.svd(x - self.mean, full_matrices=False)
        self.basis = vt[: self.p.components].T.contiguous()
        self.lighting = lighting_basis(self.shape) if self.p.lighting != "none" else None
        self.bounds = tuple(float(b) for b in ctx.info.bounds)

    def transform(self, x: torch.Tensor) -> torch.Tensor:
        if self.mean is None or self.basis is None:
            raise PluginError("gmm-reconstruction: transform() called before fit(data, ctx)")
        if tuple(x.shape[1:]) != self.shape:
            raise DataError(f"gmm-reconstruction was fitted on inputs of shape {self.shape}, "
                            f"got {tuple(x.shape[1:])}")
        flat = x.flatten(1).double()
        clean = self._clean_estimate(flat)
        return clean.clamp(*self.bounds).to(x.dtype).reshape(x.shape)

    def _clean_estimate(self, x: torch.Tensor) -> torch.Tensor:
        dev = x.device
        mu, p = self.mean.to(dev), self.basis.to(dev)
        light = self.lighting.to(dev) if self.lighting is not None else None
        n, k = x.shape[0], p.shape[1]
        multiplicative = self.p.lighting == "full"
        gain = torch.ones_like(x)
        weights = torch.ones_like(x)
        mixture = None
        clean = mu.expand(n, -1)
        for _ in range(self.p.iterations):
            # content (and additive light) given the gain
            design = gain.unsqueeze(-1) * p
            if light is not None:
                design = torch.cat([design, light.expand(n, -1, -1)], -1)
            coef = _weighted_solve(design, x - gain * mu, weights)
            clean = mu + coef[:, :k] @ p.T
            additive = coef[:, k:] @ light.T if light is not None else torch.zeros_like(x)
            if multiplicative:
                # gain and additive light given the content: linear in both
                design = torch.cat([clean.unsqueeze(-1) * light, light.expand(n, -1, -1)], -1)
                c2 = _weighted_solve(design, x - clean, weights)
                half = light.shape[1]
                gain = 1 + c2[:, :half] @ light.T
                additive = c2[:, half:] @ light.T
            residual = x - (gain * clean + additive)
            if self.p.noise == "mixture":
                if mixture is None:
                    mixture = BatchMixture(residual.detach(), self.p.mixture_components)
                weights = mixture.fit(residual, self.p.em_iterations)
        return clean
