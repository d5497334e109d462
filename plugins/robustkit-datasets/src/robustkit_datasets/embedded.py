"""scikit-learn digits and seeded Gaussian blobs as robustkit DataBundles."""

from __future__ import annotations

import numpy as np
import torch
from sklearn.model_selection import train_test_split

from robustkit import DataInfo, Modality, Task
from robustkit.data import DataBundle, derive_seed
from robustkit_datasets.params import BlobsParams, DigitsParams


def _split(x: np.ndarray, y: np.ndarray, fraction: float, seed: int):
    # stratified, so a small test split still holds every class in proportion
    return train_test_split(x, y, test_size=fraction, random_state=seed % 2**32, stratify=y)


def _bundle(x_tr, x_te, y_tr, y_te, info: DataInfo) -> DataBundle:
    return DataBundle(
        torch.as_tensor(x_tr, dtype=torch.float32), torch.as_tensor(y_tr, dtype=torch.int64),
        torch.as_tensor(x_te, dtype=torch.float32), torch.as_tensor(y_te, dtype=torch.int64),
        info,
    )


class Digits:
    """The UCI optical digits bundled with scikit-learn: 8x8 images, 17 grey levels."""

    def __init__(self, params: DigitsParams):
        self.params = params

    def load(self, seed: int) -> DataBundle:
        from sklearn.datasets import load_digits

        raw = load_digits()
        x = (raw.images / 16.0).astype(np.float32)[:, None, :, :]
        y = raw.target.astype(np.int64)
        split = self.params.split_seed
        parts = _split(x, y, self.params.test_fraction,
                       derive_seed(seed, "digits-split") if split is None else split)
        info = DataInfo(Task.CLASSIFICATION, Modality.IMAGE, (1, 8, 8), (0.0, 1.0), 10,
                        class_names=tuple(str(i) for i in range(10)))
        return _bundle(*parts, info)


class Blobs:
    """Gaussian blobs from ``sklearn.datasets.make_blobs``, min-max scaled into [0, 1]."""

    def __init__(self, params: BlobsParams):
        self.params = params

    def load(self, seed: int) -> DataBundle:
        from sklearn.datasets import make_blobs

        p = self.params
        if p.split_seed is not None:  # the data no longer follow the run seed
            seed = p.split_seed
        x, y = make_blobs(n_samples=p.n_samples, n_features=p.n_features, centers=p.n_classes,
                          cluster_std=p.cluster_std,
                          random_state=derive_seed(seed, "blobs") % 2**32)
        lo, hi = x.min(axis=0), x.max(axis=0)
        x = ((x - lo) / np.where(hi > lo, hi - lo, 1.0)).astype(np.float32)
        parts = _split(x, y.astype(np.int64), p.test_fraction, derive_seed(seed, "blobs-split"))
        info = DataInfo(Task.CLASSIFICATION, Modality.VECTOR, (p.n_features,), (0.0, 1.0),
                        p.n_classes)
        return _bundle(*parts, info)
