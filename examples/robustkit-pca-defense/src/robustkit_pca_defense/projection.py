"""The PCA projection defense: fit on the clean training inputs, then replace every input by
its reconstruction from the ``components`` leading principal components.

Noise spread over all input values (impulse or Gaussian) mostly lies outside the subspace the
data occupies, so projecting removes most of it while clean inputs change little. scikit-learn
fits the PCA (exact SVD, deterministic); the projection itself is two matrix products in torch,
so it runs on the model's device and gradients flow through it.
"""

from __future__ import annotations

import math

import torch
from robustkit.data import DataBundle, DefenseContext
from robustkit.errors import DataError, PluginError

from robustkit_pca_defense.params import PCAProjectionParams


class PCAProjection:
    def __init__(self, params: PCAProjectionParams):
        self.components = params.components
        self.basis: torch.Tensor | None = None  # (components, features)
        self.mean: torch.Tensor | None = None  # (features,)
        self.bounds = (0.0, 1.0)

    def fit(self, data: DataBundle, ctx: DefenseContext) -> None:
        from sklearn.decomposition import PCA

        features = math.prod(data.info.input_shape)
        limit = min(features, data.x_train.shape[0])
        if self.components > limit:
            raise DataError(
                f"pca-projection: components={self.components} but the data allow at most "
                f"{limit} ({features} values per input, {data.x_train.shape[0]} training "
                f"inputs); choose components <= {limit}"
            )
        x = data.x_train.flatten(1).detach().cpu().double().numpy()
        pca = PCA(n_components=self.components, svd_solver="full").fit(x)
        self.basis = torch.as_tensor(pca.components_, dtype=torch.float32)
        self.mean = torch.as_tensor(pca.mean_, dtype=torch.float32)
        self.bounds = ctx.info.bounds

    def transform(self, x: torch.Tensor) -> torch.Tensor:
        if self.basis is None or self.mean is None:
            raise PluginError("pca-projection: transform() called before fit(data, ctx)")
        if math.prod(x.shape[1:]) != self.basis.shape[1]:
            raise DataError(f"pca-projection was fitted on inputs of {self.basis.shape[1]} "
                            f"values, got inputs of shape {tuple(x.shape[1:])}")
        basis, mean = self.basis.to(x.device, x.dtype), self.mean.to(x.device, x.dtype)
        flat = x.flatten(1) - mean
        restored = (flat @ basis.T) @ basis + mean
        # the reconstruction may overshoot the data range; the model was trained inside it
        return restored.clamp(*self.bounds).reshape(x.shape)
