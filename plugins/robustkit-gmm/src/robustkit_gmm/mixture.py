"""A zero-mean Gaussian mixture over residuals, fitted by EM (Dempster et al. 1977).

Shared by the linear model and the neural regulariser: ``e ~ sum_k pi_k N(0, sigma_k^2)``
describes Gaussian noise plus outliers (a wide component) without knowing which is which.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

_FLOOR = 1e-8


@dataclass
class NoiseMixture:
    weights: np.ndarray  # pi_k
    variances: np.ndarray  # sigma_k^2

    @classmethod
    def initial(cls, residuals: np.ndarray, components: int) -> NoiseMixture:
        """Components spread from the robust (MAD) scale of the residuals upwards."""
        r = np.asarray(residuals, dtype=np.float64).ravel()
        scale = 1.4826 * np.median(np.abs(r - np.median(r))) + 1e-6
        variances = (scale * 4.0 ** np.arange(components)) ** 2
        weights = np.full(components, 1.0 / components)
        if components > 1:
            weights = np.r_[0.8, np.full(components - 1, 0.2 / (components - 1))]
        return cls(weights, variances)

    def log_joint(self, r: np.ndarray) -> np.ndarray:
        """log pi_k + log N(r_i; 0, sigma_k^2), shape (n, K)."""
        r = np.asarray(r, dtype=np.float64).reshape(-1, 1)
        var = self.variances[None, :]
        return np.log(self.weights[None, :] + 1e-300) - 0.5 * (np.log(2 * np.pi * var)
                                                                + r**2 / var)

    def responsibilities(self, r: np.ndarray) -> tuple[np.ndarray, float]:
        """E-step: posteriors of the components and the total log-likelihood."""
        lj = self.log_joint(r)
        top = lj.max(axis=1, keepdims=True)
        norm = top + np.log(np.exp(lj - top).sum(axis=1, keepdims=True))
        return np.exp(lj - norm), float(norm.sum())

    def update(self, r: np.ndarray, resp: np.ndarray) -> None:
        """M-step for the mixture given the responsibilities."""
        r2 = np.asarray(r, dtype=np.float64).reshape(-1, 1) ** 2
        mass = resp.sum(axis=0) + 1e-12
        self.weights = mass / mass.sum()
        self.variances = np.maximum((resp * r2).sum(axis=0) / mass, _FLOOR)

    def precision_weights(self, resp: np.ndarray) -> np.ndarray:
        """w_i = sum_k gamma_ik / sigma_k^2: the weight of residual i in the weighted
        least-squares step (small for points the wide, outlier component explains)."""
        return (resp / self.variances[None, :]).sum(axis=1)

    def fit(self, r: np.ndarray, iters: int = 20) -> NoiseMixture:
        for _ in range(iters):
            resp, _ = self.responsibilities(r)
            self.update(r, resp)
        return self
