"""The noisy sparse regression data set: seeded sparse truth, Gaussian noise plus
heavy-tailed outliers on the training targets."""

from __future__ import annotations

import numpy as np
import torch

from robustkit import DataInfo, Modality, Task
from robustkit.data import DataBundle, derive_seed
from robustkit_gmm.params import SparseRegressionParams

BOUND = 4.0  # inputs are standard normal, clipped here so DataInfo can state bounds


class SparseRegression:
    """y = X w* + e. w* has ``n_informative`` non-zero entries (magnitudes 1-3, random sign).

    Training noise: N(0, noise^2), except an ``outlier_fraction`` of samples that get
    ``outlier_scale`` * Student-t(1.5). Test targets carry only the Gaussian noise, so the
    test MSE measures how well w* was recovered (its floor is noise^2).
    ``extras["coef"]`` holds w*.
    """

    def __init__(self, params: SparseRegressionParams):
        if params.n_informative > params.n_features:
            from robustkit.errors import ParamsError

            raise ParamsError(f"sparse-regression: n_informative ({params.n_informative}) "
                              f"exceeds n_features ({params.n_features})")
        self.p = params

    def load(self, seed: int) -> DataBundle:
        p = self.p
        rng = np.random.default_rng(derive_seed(seed, "sparse-regression"))
        coef = np.zeros(p.n_features)
        support = rng.choice(p.n_features, p.n_informative, replace=False)
        coef[support] = rng.uniform(1, 3, p.n_informative) * rng.choice([-1, 1], p.n_informative)

        def inputs(n):
            return np.clip(rng.standard_normal((n, p.n_features)), -BOUND, BOUND)

        x_tr, x_te = inputs(p.n_train), inputs(p.n_test)
        noise = rng.normal(0, p.noise, p.n_train)
        outliers = rng.random(p.n_train) < p.outlier_fraction
        noise[outliers] = p.outlier_scale * rng.standard_t(1.5, int(outliers.sum()))
        y_tr = x_tr @ coef + noise
        y_te = x_te @ coef + rng.normal(0, p.noise, p.n_test)
        info = DataInfo(Task.REGRESSION, Modality.VECTOR, (p.n_features,), (-BOUND, BOUND),
                        output_dim=1)
        f32 = torch.float32
        return DataBundle(
            torch.as_tensor(x_tr, dtype=f32), torch.as_tensor(y_tr[:, None], dtype=f32),
            torch.as_tensor(x_te, dtype=f32), torch.as_tensor(y_te[:, None], dtype=f32),
            info, extras={"coef": coef, "outliers": outliers},
        )
