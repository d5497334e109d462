"""Each loader reads small files written here in the real format and rejects broken ones."""

from __future__ import annotations

import gzip
import pickle

import numpy as np
import pytest
import torch
from files import RNG, idx_bytes, write_cifar10, write_folder, write_mnist
from robustkit_loaders.arrays import Arrays, ImageArrays, RegressionArrays
from robustkit_loaders.cifar import CifarPickle
from robustkit_loaders.folder import ImageFolder
from robustkit_loaders.mnist import FILES, MnistIdx
from robustkit_loaders.params import (
    ArrayParams,
    CifarPickleParams,
    ImageArrayParams,
    ImageFolderParams,
    MnistIdxParams,
)

from robustkit import DataError, Modality, Task


# -- MNIST idx ----------------------------------------------------------------------------
@pytest.mark.parametrize("gz", [False, True])
def test_mnist_reads_raw_and_gzip(tmp_path, gz):
    data = MnistIdx(MnistIdxParams(path=str(write_mnist(tmp_path, gz=gz)))).load(0)
    assert data.x_train.shape == (12, 1, 28, 28) and data.x_test.shape == (5, 1, 28, 28)
    assert data.info.num_classes == 10 and data.info.modality is Modality.IMAGE
    assert 0 <= float(data.x_train.min()) and float(data.x_train.max()) <= 1
    raw = (tmp_path / (FILES["train_images"] + (".gz" if gz else ""))).read_bytes()
    raw = gzip.decompress(raw) if gz else raw
    expected = np.frombuffer(raw, np.uint8, offset=16).reshape(12, 28, 28) / 255.0
    assert np.allclose(data.x_train[:, 0].numpy(), expected)


def test_mnist_truncated_file(tmp_path):
    write_mnist(tmp_path)
    path = tmp_path / FILES["train_images"]
    path.write_bytes(path.read_bytes()[:-100])
    with pytest.raises(DataError, match=r"train-images-idx3-ubyte: truncated: header promises"):
        MnistIdx(MnistIdxParams(path=str(tmp_path))).load(0)


def test_mnist_truncated_gzip(tmp_path):
    write_mnist(tmp_path, gz=True)
    path = tmp_path / (FILES["test_labels"] + ".gz")
    path.write_bytes(path.read_bytes()[:-8])
    with pytest.raises(DataError, match="corrupt or truncated gzip"):
        MnistIdx(MnistIdxParams(path=str(tmp_path))).load(0)


def test_mnist_swapped_and_mislabelled(tmp_path):
    write_mnist(tmp_path)
    (tmp_path / FILES["test_labels"]).write_bytes(idx_bytes(RNG.integers(0, 9, (5, 28, 28))))
    with pytest.raises(DataError, match="3 dimensions where 1 were expected"):
        MnistIdx(MnistIdxParams(path=str(tmp_path))).load(0)
    write_mnist(tmp_path, labels=np.full(12, 11))
    with pytest.raises(DataError, match=r"labels span \[11, 11\] but the format has 10"):
        MnistIdx(MnistIdxParams(path=str(tmp_path))).load(0)


def test_mnist_missing_file_and_count_mismatch(tmp_path):
    write_mnist(tmp_path)
    (tmp_path / FILES["test_labels"]).write_bytes(idx_bytes(RNG.integers(0, 10, 4)))
    with pytest.raises(DataError, match="4 labels for the 5 images"):
        MnistIdx(MnistIdxParams(path=str(tmp_path))).load(0)
    (tmp_path / FILES["test_labels"]).unlink()
    with pytest.raises(DataError, match="MNIST file not found"):
        MnistIdx(MnistIdxParams(path=str(tmp_path))).load(0)


# -- CIFAR pickles -----------------------------------------------------------------------
def test_cifar10_reads(tmp_path):
    data = CifarPickle(CifarPickleParams(path=str(write_cifar10(tmp_path)))).load(0)
    assert data.x_train.shape == (20, 3, 32, 32) and data.x_test.shape == (4, 3, 32, 32)
    raw = pickle.loads((tmp_path / "test_batch").read_bytes())
    assert np.allclose(data.x_test.numpy(), raw[b"data"].reshape(4, 3, 32, 32) / 255.0)


def test_cifar100_coarse(tmp_path):
    for name in ("train", "test"):
        batch = {b"data": RNG.integers(0, 256, (3, 3072)).astype(np.uint8),
                 b"fine_labels": [5, 99, 0], b"coarse_labels": [1, 19, 0]}
        (tmp_path / name).write_bytes(pickle.dumps(batch))
    data = CifarPickle(CifarPickleParams(path=str(tmp_path), variant="cifar100",
                                         labels="coarse")).load(0)
    assert data.info.num_classes == 20 and data.y_train.tolist() == [1, 19, 0]


def test_cifar_errors(tmp_path):
    write_cifar10(tmp_path, data_cols=3000)
    with pytest.raises(DataError, match="data_batch_1: data has shape"):
        CifarPickle(CifarPickleParams(path=str(tmp_path))).load(0)
    write_cifar10(tmp_path, labels=[0, 1, 2, 10])
    with pytest.raises(DataError, match="labels span"):
        CifarPickle(CifarPickleParams(path=str(tmp_path))).load(0)
    write_cifar10(tmp_path)
    path = tmp_path / "data_batch_3"
    path.write_bytes(path.read_bytes()[:100])
    with pytest.raises(DataError, match="data_batch_3: not a readable CIFAR pickle"):
        CifarPickle(CifarPickleParams(path=str(tmp_path))).load(0)


class _Evil:
    def __reduce__(self):
        return (print, ("pwned",))


def test_cifar_refuses_code_in_pickles(tmp_path, capsys):
    write_cifar10(tmp_path)
    (tmp_path / "test_batch").write_bytes(pickle.dumps({b"data": _Evil(), b"labels": [0]}))
    with pytest.raises(DataError, match="refusing to load builtins.print"):
        CifarPickle(CifarPickleParams(path=str(tmp_path))).load(0)
    assert "pwned" not in capsys.readouterr().out


# -- image folder ------------------------------------------------------------------------
def test_image_folder_reads_and_resizes(tmp_path):
    data = ImageFolder(ImageFolderParams(path=str(write_folder(tmp_path)), size=(8, 6))).load(0)
    assert data.x_train.shape == (6, 3, 8, 6) and data.x_test.shape == (4, 3, 8, 6)
    assert data.info.class_names == ("cat", "dog")
    assert data.y_train.tolist() == [0, 0, 0, 1, 1, 1]
    grey = ImageFolder(ImageFolderParams(path=str(tmp_path), size=(5, 5), mode="L")).load(0)
    assert grey.x_train.shape == (6, 1, 5, 5)


def test_image_folder_errors(tmp_path):
    write_folder(tmp_path)
    (tmp_path / "train" / "dog" / "broken.png").write_bytes(b"\x89PNG not really")
    with pytest.raises(DataError, match="broken.png: cannot be read as an image"):
        ImageFolder(ImageFolderParams(path=str(tmp_path))).load(0)
    with pytest.raises(DataError, match="image folder not found"):
        ImageFolder(ImageFolderParams(path=str(tmp_path / "nope"))).load(0)


# -- arrays ------------------------------------------------------------------------------
def test_npz_and_csv_arrays(tmp_path):
    x = RNG.random((10, 4)).astype(np.float32)
    y = RNG.integers(0, 3, 10)
    np.savez(tmp_path / "tr.npz", x=x, y=y)
    np.savez(tmp_path / "te.npz", x=x[:4], y=y[:4])
    data = Arrays(ArrayParams(train=str(tmp_path / "tr.npz"), test=str(tmp_path / "te.npz"))
                  ).load(0)
    assert torch.allclose(data.x_train, torch.from_numpy(x))
    assert data.info.num_classes == int(y.max()) + 1
    lines = ["a,b,c,d,target"] + [",".join(map(str, [*r, t])) for r, t in zip(x, y, strict=True)]
    (tmp_path / "tr.csv").write_text("\n".join(lines))
    (tmp_path / "te.csv").write_text("\n".join(lines[:5]))
    csv_data = Arrays(ArrayParams(train=str(tmp_path / "tr.csv"), test=str(tmp_path / "te.csv"),
                                  label_column="target")).load(0)
    assert torch.allclose(csv_data.x_train, torch.from_numpy(x), atol=1e-6)
    assert csv_data.y_train.tolist() == y.tolist()
    reg = RegressionArrays(ArrayParams(train=str(tmp_path / "tr.csv"),
                                       test=str(tmp_path / "te.csv"))).load(0)
    assert reg.info.task is Task.REGRESSION and reg.y_train.shape == (10, 1)


def test_image_arrays_and_errors(tmp_path):
    np.savez(tmp_path / "tr.npz", x=RNG.random((6, 64)), y=np.arange(6) % 2)
    np.savez(tmp_path / "te.npz", x=RNG.random((2, 64)), y=np.array([0, 1]))
    ok = ImageArrays(ImageArrayParams(train=str(tmp_path / "tr.npz"),
                                      test=str(tmp_path / "te.npz"), input_shape=(1, 8, 8)))
    assert ok.load(0).x_train.shape == (6, 1, 8, 8)
    bad = ImageArrays(ImageArrayParams(train=str(tmp_path / "tr.npz"),
                                       test=str(tmp_path / "te.npz"), input_shape=(3, 8, 8)))
    with pytest.raises(DataError, match="cannot be reshaped to input_shape"):
        bad.load(0)
    (tmp_path / "bad.csv").write_text("1,2,0\n3,4\n")
    with pytest.raises(DataError, match="bad.csv: row 2 has 2 fields"):
        Arrays(ArrayParams(train=str(tmp_path / "bad.csv"), test=str(tmp_path / "bad.csv"))
               ).load(0)
    np.savez(tmp_path / "nan.npz", x=np.array([[np.nan, 1.0]]), y=np.array([0]))
    with pytest.raises(DataError, match="nan.npz: inputs must be finite"):
        Arrays(ArrayParams(train=str(tmp_path / "nan.npz"), test=str(tmp_path / "nan.npz"))
               ).load(0)
    np.savez(tmp_path / "noy.npz", x=np.zeros((2, 2)))
    with pytest.raises(DataError, match=r"noy.npz: lacks array\(s\) \['y'\]"):
        Arrays(ArrayParams(train=str(tmp_path / "noy.npz"), test=str(tmp_path / "noy.npz"))
               ).load(0)
