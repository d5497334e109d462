"""The file loaders keep robustkit's contracts, each on small files of its real format that the
test writes (the writers live with the loader tests)."""

import numpy as np
from files import write_cifar10, write_folder, write_mnist


def test_mnist_idx(tmp_path, robustkit_contracts):
    robustkit_contracts("dataset", "mnist-idx", params={"path": str(write_mnist(tmp_path))})


def test_cifar_pickle(tmp_path, robustkit_contracts):
    robustkit_contracts("dataset", "cifar-pickle", params={"path": str(write_cifar10(tmp_path))})


def test_image_folder(tmp_path, robustkit_contracts):
    robustkit_contracts("dataset", "image-folder",
                        params={"path": str(write_folder(tmp_path)), "size": (8, 8)})


def test_arrays(tmp_path, robustkit_contracts):
    rng = np.random.default_rng(0)
    x, y = rng.random((20, 4)).astype(np.float32), np.arange(20) % 3
    np.savez(tmp_path / "tr.npz", x=x, y=y)
    np.savez(tmp_path / "te.npz", x=x[:6], y=y[:6])
    robustkit_contracts("dataset", "arrays", params={"train": str(tmp_path / "tr.npz"),
                                                     "test": str(tmp_path / "te.npz")})


def test_image_arrays(tmp_path, robustkit_contracts):
    rng = np.random.default_rng(0)
    x, y = rng.random((20, 16)).astype(np.float32), np.arange(20) % 2
    np.savez(tmp_path / "tr.npz", x=x, y=y)
    np.savez(tmp_path / "te.npz", x=x[:6], y=y[:6])
    robustkit_contracts("dataset", "arrays-image", params={
        "train": str(tmp_path / "tr.npz"), "test": str(tmp_path / "te.npz"),
        "input_shape": (1, 4, 4)})
