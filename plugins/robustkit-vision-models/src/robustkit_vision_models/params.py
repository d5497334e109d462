"""Parameter models (torch-free, imported at registration)."""

from typing import Annotated

from pydantic import Field

from robustkit import Params


class MLPParams(Params):
    hidden: tuple[Annotated[int, Field(ge=1, le=65536)], ...] = Field(
        (256, 128), min_length=0, max_length=16, description="widths of the hidden layers")
    dropout: float = Field(0.0, ge=0, lt=1, description="dropout after each hidden layer")


class SmallCNNParams(Params):
    channels: int = Field(32, ge=1, le=1024, description="filters in the first conv block")
    hidden: int = Field(128, ge=1, le=16384, description="width of the dense layer")
    dropout: float = Field(0.0, ge=0, lt=1, description="dropout before the output layer")


class SmallResNetParams(Params):
    width: int = Field(16, ge=1, le=512, description="channels of the first stage")
    blocks_per_stage: int = Field(1, ge=1, le=8, description="basic blocks in each of 3 stages")
