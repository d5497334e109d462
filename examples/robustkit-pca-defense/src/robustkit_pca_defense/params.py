"""Parameters, with bounds and descriptions. Torch-free: read when plugins are listed."""

from pydantic import Field
from robustkit import Params


class PCAProjectionParams(Params):
    components: int = Field(16, ge=1, le=65536, description=(
        "principal components kept; at most the number of values in one input"))
