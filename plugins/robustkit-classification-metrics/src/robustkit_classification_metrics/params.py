"""Parameter models (torch-free, imported at registration)."""

from typing import Literal

from pydantic import Field

from robustkit import Params


class CalibrationParams(Params):
    bins: int = Field(15, ge=2, le=1000, description="equal-width confidence bins")


class RocAucParams(Params):
    average: Literal["macro", "weighted"] = Field("macro", description="one-vs-rest averaging")
