"""Turning NumPy arrays read from files into a validated robustkit DataBundle."""

from __future__ import annotations

import numpy as np
import torch

from robustkit import DataInfo, Modality, Task
from robustkit.data import DataBundle


def image_bundle(x_tr: np.ndarray, y_tr: np.ndarray, x_te: np.ndarray, y_te: np.ndarray,
                 num_classes: int, name: str, class_names=None) -> DataBundle:
    """uint8 N x C x H x W images scaled to [0, 1], integer labels."""
    info = DataInfo(Task.CLASSIFICATION, Modality.IMAGE, tuple(int(s) for s in x_tr.shape[1:]),
                    (0.0, 1.0), num_classes,
                    class_names=None if class_names is None else tuple(class_names))
    bundle = DataBundle(
        torch.from_numpy(x_tr.astype(np.float32) / 255.0), torch.from_numpy(y_tr.astype(np.int64)),
        torch.from_numpy(x_te.astype(np.float32) / 255.0), torch.from_numpy(y_te.astype(np.int64)),
        info,
    )
    return bundle.validate(name)


def check_labels(path, labels: np.ndarray, num_classes: int) -> None:
    from robustkit_loaders.errors import data_error

    if labels.size and (int(labels.min()) < 0 or int(labels.max()) >= num_classes):
        raise data_error(path, f"labels span [{int(labels.min())}, {int(labels.max())}] but "
                         f"the format has {num_classes} classes",
                         "The file is mislabelled or is not the file it is named as")
