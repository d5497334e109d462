"""Small files in the loaders' real formats (MNIST idx, CIFAR pickles, image folders),
written by the tests."""

from __future__ import annotations

import gzip
import pickle
import struct

import numpy as np
from robustkit_loaders.mnist import FILES

RNG = np.random.default_rng(0)


def idx_bytes(array: np.ndarray) -> bytes:
    head = bytes([0, 0, 0x08, array.ndim]) + b"".join(struct.pack(">I", d) for d in array.shape)
    return head + array.astype(np.uint8).tobytes()


def write_mnist(folder, n=(12, 5), gz=False, labels=None):
    for split, count in zip(("train", "test"), n, strict=True):
        images = RNG.integers(0, 256, (count, 28, 28))
        lab = RNG.integers(0, 10, count) if labels is None else labels[:count]
        for key, arr in ((f"{split}_images", images), (f"{split}_labels", lab)):
            data = idx_bytes(np.asarray(arr))
            name = FILES[key] + (".gz" if gz else "")
            (folder / name).write_bytes(gzip.compress(data) if gz else data)
    return folder


def write_cifar10(folder, n=4, labels=None, data_cols=3072):
    for name in [f"data_batch_{i}" for i in range(1, 6)] + ["test_batch"]:
        batch = {b"data": RNG.integers(0, 256, (n, data_cols)).astype(np.uint8),
                 b"labels": list(RNG.integers(0, 10, n)) if labels is None else labels}
        (folder / name).write_bytes(pickle.dumps(batch))
    return folder


def write_folder(root, mode="RGB"):
    from PIL import Image

    for split, count in (("train", 3), ("test", 2)):
        for cls in ("cat", "dog"):
            (root / split / cls).mkdir(parents=True)
            for i in range(count):
                shape = (10, 14, 3) if mode == "RGB" else (10, 14)
                arr = RNG.integers(0, 256, shape).astype(np.uint8)
                Image.fromarray(arr).save(root / split / cls / f"{i}.png")
    return root
