"""Parameter models (torch-free, imported at registration)."""

from pydantic import Field

from robustkit import Params

SPLIT_SEED = ("seed of the train/test split, independent of the run seed, so that seeds can "
              "vary the initialisation without varying the data; default: derived from the run "
              "seed")


class DigitsParams(Params):
    test_fraction: float = Field(0.25, gt=0.05, lt=0.9, description="share of samples held out")
    split_seed: int | None = Field(None, ge=0, le=2**63 - 1, description=SPLIT_SEED)


class BlobsParams(Params):
    n_samples: int = Field(1200, ge=20, le=1_000_000, description="samples in total")
    n_features: int = Field(2, ge=1, le=4096, description="input dimensions")
    n_classes: int = Field(3, ge=2, le=1000, description="number of blobs (classes)")
    cluster_std: float = Field(1.0, gt=0, le=100, description="standard deviation of each blob")
    test_fraction: float = Field(0.25, gt=0.05, lt=0.9, description="share of samples held out")
    split_seed: int | None = Field(None, ge=0, le=2**63 - 1, description=(
        "seed of the data (blobs and split), independent of the run seed; default: derived "
        "from the run seed"))
