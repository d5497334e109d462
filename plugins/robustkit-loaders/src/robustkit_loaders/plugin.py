"""Registers the file-format data sets. Factories are lazy strings: listing imports no torch."""

from robustkit import hookimpl
from robustkit_loaders.params import (
    ArrayParams,
    CifarPickleParams,
    ClassArrayParams,
    ImageArrayParams,
    ImageFolderParams,
    MnistIdxParams,
)

_M = "robustkit_loaders"


@hookimpl
def robustkit_register_datasets(register):
    register.dataset(
        "mnist-idx",
        f"{_M}.mnist:MnistIdx",
        params=MnistIdxParams,
        task="classification",
        modality="image",
        summary="MNIST idx files (raw or .gz) from a folder, 1x28x28 in [0, 1]",
    )
    register.dataset(
        "cifar-pickle",
        f"{_M}.cifar:CifarPickle",
        params=CifarPickleParams,
        task="classification",
        modality="image",
        summary="CIFAR-10/100 python pickles from a folder (safe unpickling), 3x32x32",
    )
    register.dataset(
        "image-folder",
        f"{_M}.folder:ImageFolder",
        params=ImageFolderParams,
        task="classification",
        modality="image",
        summary="train/ and test/ folders of class sub-folders of images (Pillow)",
    )
    register.dataset(
        "arrays",
        f"{_M}.arrays:Arrays",
        params=ClassArrayParams,
        task="classification",
        modality="vector",
        summary="feature vectors and class labels from .npz or .csv files",
    )
    register.dataset(
        "arrays-image",
        f"{_M}.arrays:ImageArrays",
        params=ImageArrayParams,
        task="classification",
        modality="image",
        summary="images (rows reshaped to C x H x W) and class labels from .npz or .csv",
    )
    register.dataset(
        "arrays-regression",
        f"{_M}.arrays:RegressionArrays",
        params=ArrayParams,
        task="regression",
        modality="vector",
        summary="feature vectors and real targets from .npz or .csv files",
    )
