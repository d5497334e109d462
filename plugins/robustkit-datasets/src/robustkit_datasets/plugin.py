"""Registers the embedded data sets. Factories are lazy strings: listing imports no torch."""

from robustkit import hookimpl
from robustkit_datasets.params import BlobsParams, DigitsParams


@hookimpl
def robustkit_register_datasets(register):
    register(
        "digits", "robustkit_datasets.embedded:Digits", params=DigitsParams,
        tasks=["classification"], modality="image",
        summary="scikit-learn's 1797 handwritten digits as 1x8x8 images in [0, 1], 10 classes",
    )
    register(
        "blobs", "robustkit_datasets.embedded:Blobs", params=BlobsParams,
        tasks=["classification"], modality="vector",
        summary="seeded isotropic Gaussian blobs, features scaled to [0, 1]",
    )
