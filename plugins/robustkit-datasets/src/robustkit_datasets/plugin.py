"""Registers the embedded data sets. Factories are lazy strings: listing imports no torch."""

from robustkit import hookimpl
from robustkit_datasets.params import BlobsParams, DigitsParams


@hookimpl
def robustkit_register_datasets(register):
    register.dataset(
        "digits",
        "robustkit_datasets.embedded:Digits",
        params=DigitsParams,
        task="classification",
        modality="image",
        summary="scikit-learn's 1797 handwritten digits as 1x8x8 images in [0, 1], 10 classes",
    )
    register.dataset(
        "blobs",
        "robustkit_datasets.embedded:Blobs",
        params=BlobsParams,
        task="classification",
        modality="vector",
        summary="seeded isotropic Gaussian blobs, features scaled to [0, 1]",
    )
