"""Robust sparse linear regression under mixture noise (after Guo 2023).

Model: y = X w + b + e with e ~ sum_k pi_k N(0, sigma_k^2). Estimate

    min_{w, b, pi, sigma}  - sum_i log sum_k pi_k N(y_i - x_i w - b; 0, sigma_k^2)
                            + alpha * sum_j |w_j| / |w0_j|^gamma

by EM: the E-step gives each residual's component posteriors gamma_ik; the M-step updates
(pi, sigma) in closed form and (w, b) by a weighted lasso with sample weights
sum_k gamma_ik / sigma_k^2 (scikit-learn's coordinate descent). The adaptive penalty
(Zou 2006) uses a robust initial fit w0 (scikit-learn's HuberRegressor) so large true
coefficients are barely shrunk while null ones are driven to zero. alpha is chosen on a log
grid by BIC with the mixture likelihood.
"""

from __future__ import annotations

import warnings

import numpy as np

from robustkit.errors import DataError
from robustkit_gmm.mixture import NoiseMixture
from robustkit_gmm.params import MixtureParams


class MixtureLinearRegression:
    """scikit-learn style estimator: ``fit(X, y)``, ``predict(X)``, ``coef_``, ``support_``."""

    def __init__(self, params: MixtureParams | None = None):
        self.params = params or MixtureParams()

    def fit(self, X: np.ndarray, y: np.ndarray) -> MixtureLinearRegression:
        X, y = self._check(X, y)
        from sklearn.linear_model import HuberRegressor

        mean, std = X.mean(axis=0), X.std(axis=0) + 1e-12
        Z = (X - mean) / std
        init = HuberRegressor(alpha=1e-4, max_iter=500).fit(Z, y)
        scale = np.abs(init.coef_) ** self.params.gamma + 1e-8
        Zs = Z * scale  # adaptive lasso = plain lasso on rescaled columns
        resid0 = y - init.predict(Z)
        best = None
        for alpha in self._alpha_grid(Zs, y):
            coef, intercept, mix, loglik = self._em(Zs, y, alpha, resid0)
            df = int(np.count_nonzero(coef)) + 1 + 2 * self.params.components - 1
            bic = -2 * loglik + np.log(len(y)) * df
            if best is None or bic < best[0]:
                best = (bic, coef, intercept, mix, alpha)
        _, coef_s, intercept, mix, alpha = best
        coef_z = coef_s * scale
        self.coef_ = coef_z / std
        self.intercept_ = float(intercept - (coef_z * mean / std).sum())
        self.mixture_ = mix
        self.alpha_ = float(alpha)
        self.support_ = np.flatnonzero(self.coef_)
        return self

    def predict(self, X: np.ndarray) -> np.ndarray:
        X = np.asarray(X, dtype=np.float64)
        return X @ self.coef_ + self.intercept_

    def _alpha_grid(self, Zs: np.ndarray, y: np.ndarray) -> np.ndarray:
        top = np.abs(Zs.T @ (y - np.median(y))).max() / len(y) + 1e-12
        return top * np.logspace(0, -4, self.params.alphas)

    def _em(self, Zs, y, alpha, resid0):
        from sklearn.linear_model import Lasso

        p = self.params
        mix = NoiseMixture.initial(resid0, p.components)
        resid = resid0
        lasso = Lasso(alpha=alpha, max_iter=5000, tol=1e-6, warm_start=True)
        coef = np.zeros(Zs.shape[1])
        intercept = float(np.median(y))
        loglik = -np.inf
        for _ in range(p.max_iter):
            resp, loglik = mix.responsibilities(resid)
            mix.update(resid, resp)
            weights = mix.precision_weights(resp)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # convergence notes inside the EM loop
                lasso.fit(Zs, y, sample_weight=weights / weights.mean())
            step = np.abs(lasso.coef_ - coef).max()
            coef, intercept = lasso.coef_.copy(), float(lasso.intercept_)
            resid = y - Zs @ coef - intercept
            if step < p.tol:
                break
        _, loglik = mix.responsibilities(resid)
        return coef, intercept, mix, loglik

    @staticmethod
    def _check(X, y) -> tuple[np.ndarray, np.ndarray]:
        X = np.asarray(X, dtype=np.float64)
        y = np.asarray(y, dtype=np.float64)
        if y.ndim == 2 and y.shape[1] == 1:
            y = y[:, 0]
        if X.ndim != 2 or y.ndim != 1 or X.shape[0] != y.shape[0]:
            raise DataError(f"gmm-regression: needs X of shape (n, d) and one target per "
                            f"sample; got X {X.shape}, y {y.shape}")
        if not (np.isfinite(X).all() and np.isfinite(y).all()):
            raise DataError("gmm-regression: inputs or targets contain NaN or infinity")
        if X.shape[0] < 5:
            raise DataError(f"gmm-regression: {X.shape[0]} samples are too few to fit")
        return X, y
