"""Parameter models (torch-free, imported at registration)."""

from typing import Annotated, Literal

from pydantic import Field

from robustkit import Params

Side = Annotated[int, Field(ge=1, le=8192)]
# input values can be any finite number (standardised features are negative too)
Finite = Annotated[float, Field(ge=-1e12, le=1e12)]


class MnistIdxParams(Params):
    path: str = Field(description=(
        "folder holding train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte "
        "and t10k-labels-idx1-ubyte, each raw or gzipped (.gz)"))
    limit: int | None = Field(None, ge=1, description="keep only the first N samples per split")


class CifarPickleParams(Params):
    path: str = Field(description=(
        "the extracted 'cifar-10-batches-py' folder (data_batch_1..5, test_batch) or "
        "'cifar-100-python' folder (train, test)"))
    variant: Literal["cifar10", "cifar100"] = Field("cifar10", description="which archive")
    labels: Literal["fine", "coarse"] = Field("fine", description="CIFAR-100 label set")
    limit: int | None = Field(None, ge=1, description="keep only the first N samples per split")


class ImageFolderParams(Params):
    path: str = Field(description=(
        "folder with train/ and test/ sub-folders, each holding one sub-folder of images per "
        "class (the class name is the folder name)"))
    size: tuple[Side, Side] = Field((32, 32), description="every image is resized to (H, W)")
    mode: Literal["L", "RGB"] = Field("RGB", description="L = greyscale, RGB = colour")


class ArrayParams(Params):
    train: str = Field(description="training file: .npz (arrays x and y) or .csv")
    test: str = Field(description="test file in the same format")
    label_column: str | Annotated[int, Field(ge=-100_000, le=100_000)] = Field(-1, description=(
        "CSV only: the label column, by header name or position (-1 = last)"))
    bounds: tuple[Finite, Finite] | None = Field(None, description=(
        "value range of the inputs; default: the smallest and largest value in the files"))


class ClassArrayParams(ArrayParams):
    num_classes: int | None = Field(None, ge=2, le=1_000_000, description=(
        "number of classes; labels must lie in [0, num_classes). Default: the largest label "
        "+ 1, and then every class must have a training sample (a stray label such as 99999 "
        "is refused rather than training a 100,000-class model)"))


class ImageArrayParams(ClassArrayParams):
    input_shape: tuple[Side, Side, Side] = Field(description=(
        "each sample is reshaped to (C, H, W), e.g. [1, 8, 8]"))
