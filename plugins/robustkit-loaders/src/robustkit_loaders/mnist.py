"""MNIST idx files (LeCun et al. 1998), raw or gzipped.

The idx format: two zero bytes, a type code (0x08 = unsigned byte), the number of dimensions,
then one big-endian uint32 per dimension, then the data. Every field is checked, so that a
truncated download or a swapped file is a clear error, never a silently short data set.
"""

from __future__ import annotations

import gzip
import math
from pathlib import Path

import numpy as np

from robustkit.data import DataBundle
from robustkit_loaders.bundle import check_labels, image_bundle
from robustkit_loaders.errors import data_error, existing
from robustkit_loaders.params import MnistIdxParams

FILES = {
    "train_images": "train-images-idx3-ubyte",
    "train_labels": "train-labels-idx1-ubyte",
    "test_images": "t10k-images-idx3-ubyte",
    "test_labels": "t10k-labels-idx1-ubyte",
}


def _find(folder: Path, stem: str) -> Path:
    for candidate in (folder / stem, folder / f"{stem}.gz"):
        if candidate.is_file():
            return candidate
    raise data_error(folder / stem, "MNIST file not found (looked for it raw and as .gz)",
                     "Put the four idx files in the folder given as path")


def _read_bytes(path: Path) -> bytes:
    raw = path.read_bytes()
    if raw[:2] == b"\x1f\x8b":  # gzip magic, whatever the suffix says
        try:
            return gzip.decompress(raw)
        except (OSError, EOFError) as exc:
            raise data_error(path, f"corrupt or truncated gzip data ({exc})",
                             "Download the file again") from None
    return raw


def read_idx(path: str | Path, dims: int) -> np.ndarray:
    """Read one idx file of unsigned bytes with ``dims`` dimensions."""
    path = existing(path, "idx file")
    data = _read_bytes(path)
    if len(data) < 4:
        raise data_error(path, f"only {len(data)} bytes: too short for an idx header")
    if data[0] != 0 or data[1] != 0:
        raise data_error(path, "not an idx file (the first two bytes must be zero)")
    if data[2] != 0x08:
        raise data_error(path, f"idx type code 0x{data[2]:02x}; only unsigned bytes (0x08) "
                         "are supported")
    if data[3] != dims:
        raise data_error(path, f"has {data[3]} dimensions where {dims} were expected",
                         "Images and labels may be swapped")
    header = 4 + 4 * dims
    if len(data) < header:
        raise data_error(path, "truncated inside the header")
    shape = tuple(int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(dims))
    expected = math.prod(shape)  # Python ints: np.prod wraps around for huge headers
    body = len(data) - header
    if body != expected:
        state = "truncated" if body < expected else "longer than its header says"
        raise data_error(path, f"{state}: header promises {shape} = {expected} bytes of data, "
                         f"the file holds {body}", "Download the file again")
    return np.frombuffer(data, dtype=np.uint8, offset=header).reshape(shape)


class MnistIdx:
    def __init__(self, params: MnistIdxParams):
        self.params = params

    def load(self, seed: int) -> DataBundle:
        folder = existing(self.params.path, "MNIST folder")
        splits = []
        for split in ("train", "test"):
            img_path = _find(folder, FILES[f"{split}_images"])
            lab_path = _find(folder, FILES[f"{split}_labels"])
            images, labels = read_idx(img_path, 3), read_idx(lab_path, 1)
            if images.shape[0] != labels.shape[0]:
                raise data_error(lab_path, f"{labels.shape[0]} labels for the {images.shape[0]} "
                                 f"images in {img_path.name}", "The two files do not match")
            check_labels(lab_path, labels, 10)
            n = self.params.limit or images.shape[0]
            splits += [images[:n, None, :, :], labels[:n]]
        x_tr, y_tr, x_te, y_te = splits
        if x_tr.shape[1:] != x_te.shape[1:]:
            raise data_error(folder, f"train images are {x_tr.shape[2:]} but test images are "
                             f"{x_te.shape[2:]}")
        return image_bundle(x_tr, y_tr, x_te, y_te, 10, "mnist-idx",
                            class_names=[str(i) for i in range(10)])
