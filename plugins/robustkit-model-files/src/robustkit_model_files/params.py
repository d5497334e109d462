"""Params of the file components (import-light: ``robustkit describe`` reads them)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import Field

from robustkit import Params

FACTORY_PATTERN = r"^[A-Za-z_][\w.]*:[A-Za-z_][\w.]*$"


class ModelFileParams(Params):
    path: Path = Field(description="the model file: .pt2, TorchScript, .pt state dict, "
                       ".safetensors")
    format: Literal["auto", "export", "torchscript", "state-dict"] = Field(
        "auto", description="auto: .pt2 is torch.export, .safetensors a state dict, a .pt "
        "with TorchScript code is TorchScript, any other .pt a state dict")
    factory: str | None = Field(None, pattern=FACTORY_PATTERN, description=(
        "for a state dict: 'package.module:callable' that builds the (untrained) model"))
    factory_kwargs: dict[str, Any] = Field(default_factory=dict,
                                           description="keyword arguments of the factory")
    state_dict_key: str | None = Field(None, description=(
        "key of the state dict inside a checkpoint dict (default: the file is the state "
        "dict, or holds it under 'state_dict' / 'model_state_dict')"))
    strict: bool = Field(True, description="every weight must match a model parameter")


class OnnxModelParams(Params):
    path: Path = Field(description="the .onnx file")
    input_name: str | None = Field(None, description="graph input to feed (default: the "
                                   "only input)")


class DataFileParams(Params):
    path: Path = Field(description="a test split: .npz, .pt (tensors only) or .safetensors")
    x_key: str = Field("x", min_length=1, description="key of the inputs")
    y_key: str = Field("y", min_length=1, description="key of the integer class labels")
    bounds: tuple[float, float] = Field((0.0, 1.0), description=(
        "interval the inputs lie in (pixel space); attacks clip to it"))
    num_classes: int | None = Field(None, ge=2, description=(
        "default: the largest label + 1; set it when the test labels miss a class"))
