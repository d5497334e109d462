"""CIFAR-10 / CIFAR-100 "python version" pickles (Krizhevsky 2009).

Pickles can run code when loaded, so they are read with an Unpickler that refuses every
global except the few NumPy needs to rebuild arrays: a tampered file is an error, not an
exploit.
"""

from __future__ import annotations

import pickle
from pathlib import Path
from typing import Any

import numpy as np

from robustkit.data import DataBundle
from robustkit_loaders.bundle import check_labels, image_bundle
from robustkit_loaders.errors import data_error, existing
from robustkit_loaders.params import CifarPickleParams

_ALLOWED = {
    ("numpy.core.multiarray", "_reconstruct"),
    ("numpy._core.multiarray", "_reconstruct"),
    ("numpy", "ndarray"),
    ("numpy", "dtype"),
    ("numpy.core.multiarray", "scalar"),
    ("numpy._core.multiarray", "scalar"),
    ("_codecs", "encode"),
}


class _SafeUnpickler(pickle.Unpickler):
    def find_class(self, module: str, name: str) -> Any:
        if (module, name) in _ALLOWED:
            return super().find_class(module, name)
        raise pickle.UnpicklingError(f"refusing to load {module}.{name}")


def read_batch(path: str | Path) -> dict[str, Any]:
    """One pickled batch as a dict with str keys (the archive's keys are bytes)."""
    path = existing(path, "CIFAR batch file")
    try:
        with open(path, "rb") as fh:
            raw = _SafeUnpickler(fh, encoding="bytes").load()
    except (pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError) as exc:
        raise data_error(path, f"not a readable CIFAR pickle ({type(exc).__name__}: {exc})",
                         "The file is truncated, corrupt or not a CIFAR batch") from None
    if not isinstance(raw, dict):
        raise data_error(path, f"holds a {type(raw).__name__}, not a CIFAR batch dict")
    return {k.decode() if isinstance(k, bytes) else str(k): v for k, v in raw.items()}


def _images(path: Path, batch: dict[str, Any]) -> np.ndarray:
    if "data" not in batch:
        raise data_error(path, f"has no 'data' entry (keys: {sorted(batch)})")
    data = np.asarray(batch["data"])
    if data.ndim != 2 or data.shape[1] != 3 * 32 * 32:
        raise data_error(path, f"data has shape {data.shape}; CIFAR rows are 3072 bytes "
                         "(3 x 32 x 32)")
    if data.dtype != np.uint8:
        raise data_error(path, f"data has dtype {data.dtype}, expected uint8")
    return data.reshape(-1, 3, 32, 32)


def _labels(path: Path, batch: dict[str, Any], key: str) -> np.ndarray:
    if key not in batch:
        raise data_error(path, f"has no {key!r} entry (keys: {sorted(batch)})")
    return np.asarray(batch[key], dtype=np.int64)


class CifarPickle:
    def __init__(self, params: CifarPickleParams):
        self.params = params

    def _files(self, folder: Path) -> tuple[list[Path], Path]:
        if self.params.variant == "cifar10":
            return [folder / f"data_batch_{i}" for i in range(1, 6)], folder / "test_batch"
        return [folder / "train"], folder / "test"

    def _split(self, paths: list[Path], classes: int) -> tuple[np.ndarray, np.ndarray]:
        key = "labels"
        if self.params.variant == "cifar100":
            key = f"{self.params.labels}_labels"
        xs, ys = [], []
        for path in paths:
            batch = read_batch(path)
            x, y = _images(path, batch), _labels(path, batch, key)
            if x.shape[0] != y.shape[0]:
                raise data_error(path, f"{x.shape[0]} images but {y.shape[0]} labels")
            check_labels(path, y, classes)
            xs.append(x)
            ys.append(y)
        x, y = np.concatenate(xs), np.concatenate(ys)
        n = self.params.limit or x.shape[0]
        return x[:n], y[:n]

    def load(self, seed: int) -> DataBundle:
        folder = existing(self.params.path, "CIFAR folder")
        classes = 10 if self.params.variant == "cifar10" else (
            100 if self.params.labels == "fine" else 20)
        train_paths, test_path = self._files(folder)
        x_tr, y_tr = self._split(train_paths, classes)
        x_te, y_te = self._split([test_path], classes)
        return image_bundle(x_tr, y_tr, x_te, y_te, classes, f"cifar-pickle ({folder})")
