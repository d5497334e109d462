"""Input normalisation in front of any model: attacks, ε and bounds stay in pixel space.

``preprocessing = {mean = [...], std = [...]}`` in a model's table puts ``(x - mean) / std``
inside the model, so a perturbation of size ε is measured on the inputs the data set holds
(as ART's ``preprocessing`` and RobustBench's wrappers do), while the model sees the
normalised inputs it was trained on.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict, Field, model_validator

if TYPE_CHECKING:
    import torch

    from robustkit.components import DataInfo


class Preprocessing(BaseModel):
    """Per-channel (images, sequences: last axis for vectors) mean and standard deviation."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    mean: list[float] = Field(min_length=1, description="subtracted per channel")
    std: list[float] = Field(min_length=1, description="divided by per channel, each > 0")

    @model_validator(mode="after")
    def _check(self) -> Preprocessing:
        if len(self.mean) != len(self.std):
            raise ValueError(f"mean has {len(self.mean)} values but std has {len(self.std)}; "
                             "give one of each per channel")
        if any(s <= 0 for s in self.std):
            raise ValueError(f"every std must be > 0, got {self.std}")
        return self

    def channel_axis_size(self, info: DataInfo) -> int:
        """The number of channels the data has, on the axis mean/std apply to."""
        shape = tuple(info.input_shape)
        return int(shape[0] if len(shape) >= 3 else shape[-1])


def normalise(model: torch.nn.Module, pre: Preprocessing, info: DataInfo,
              source: str) -> torch.nn.Module:
    """``model`` behind ``(x - mean) / std``; a mean/std of the wrong length is a clear error."""
    from robustkit.errors import DataError

    channels = pre.channel_axis_size(info)
    if len(pre.mean) not in (1, channels):
        raise DataError(
            f"{source}: preprocessing gives {len(pre.mean)} mean/std values but the data has "
            f"{channels} channels (inputs {tuple(info.input_shape)}); give {channels} values, "
            "or one for all channels"
        )
    from robustkit.modules import Normalized

    return Normalized(model, pre.mean, pre.std, channels_first=len(info.input_shape) >= 3)
