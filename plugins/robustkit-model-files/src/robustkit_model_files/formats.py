"""Which torch format a model file holds, from its suffix and (for .pt) its zip members."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from robustkit_model_files.files import file_error


def detect(path: Path, data: bytes, declared: str) -> str:
    if declared != "auto":
        return declared
    suffix = path.suffix.lower()
    if suffix == ".onnx":
        raise file_error(path, "is an ONNX model", "Use model 'onnx-model' (score-only) for it")
    if suffix == ".pt2":
        return "export"
    if suffix == ".safetensors":
        return "state-dict"
    try:
        names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    except zipfile.BadZipFile:
        return "state-dict"  # legacy (non-zip) torch.save files; a truncated zip fails there
    if any("/code/__torch__/" in n for n in names):
        return "torchscript"
    if any(n.endswith("models/model.json") for n in names):
        return "export"
    return "state-dict"
