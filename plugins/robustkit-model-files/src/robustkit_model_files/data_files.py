"""Test splits from files: .npz (NumPy, no pickles), .pt (tensors only) or .safetensors."""

from __future__ import annotations

import io
import pickle
from typing import Any

import numpy as np

from robustkit import Modality
from robustkit.data import DataBundle
from robustkit.errors import DataError
from robustkit.objects import test_data
from robustkit_model_files.files import FileBytes, file_error, manifest, read
from robustkit_model_files.params import DataFileParams

WHAT = "data file"
COMPONENT = {Modality.IMAGE: "data-file", Modality.VECTOR: "vector-data-file",
             Modality.SEQUENCE: "sequence-data-file"}
DIMS = {Modality.IMAGE: "N x C x H x W", Modality.VECTOR: "N x F",
        Modality.SEQUENCE: "N x T x F"}


def provenance(params: DataFileParams) -> dict[str, Any]:
    return manifest(params.path, WHAT)


def check(params: DataFileParams, facts: Any) -> str | None:
    _arrays(read(params.path, WHAT), params)  # missing keys, dtypes: before any work
    return None


def _arrays(blob: FileBytes, params: DataFileParams) -> tuple[Any, Any]:
    suffix = blob.path.suffix.lower()
    if suffix == ".npz":
        table = _npz(blob)
    elif suffix in (".pt", ".pth"):
        table = _pt(blob)
    elif suffix == ".safetensors":
        table = _safetensors(blob)
    else:
        raise file_error(blob.path, f"has suffix {suffix!r}", "Give a .npz, .pt or "
                         ".safetensors file")
    missing = [k for k in (params.x_key, params.y_key) if k not in table]
    if missing:
        raise file_error(blob.path, f"has no key(s) {missing} (it has {sorted(table)})",
                         "Set x_key and y_key to the keys of the inputs and the labels")
    return table[params.x_key], table[params.y_key]


def _npz(blob: FileBytes) -> dict[str, Any]:
    try:
        with np.load(io.BytesIO(blob.data), allow_pickle=False) as npz:
            return {k: npz[k] for k in npz.files}
    except ValueError as exc:  # object arrays need pickles, which are refused
        raise file_error(blob.path, f"holds an array that needs pickle ({exc})",
                         "Save numeric arrays only: np.savez(path, x=x, y=y)") from None
    except Exception as exc:
        raise file_error(blob.path, f"cannot be read as .npz ({type(exc).__name__}: {exc})",
                         "It may be truncated; save it again") from None


def _pt(blob: FileBytes) -> dict[str, Any]:
    import torch

    try:
        obj = torch.load(io.BytesIO(blob.data), map_location="cpu", weights_only=True)
    except pickle.UnpicklingError:
        raise file_error(blob.path, "holds pickled Python objects, not only tensors",
                         "Save a dict of tensors: torch.save({'x': x, 'y': y}, path)") from None
    except Exception as exc:
        raise file_error(blob.path, f"cannot be read as a .pt file ({type(exc).__name__}: "
                         f"{str(exc)[:200]})", "It may be truncated; save it again") from None
    if not isinstance(obj, dict):
        raise file_error(blob.path, f"holds a {type(obj).__name__}, not a dict of tensors",
                         "Save torch.save({'x': x, 'y': y}, path)")
    return obj


def _safetensors(blob: FileBytes) -> dict[str, Any]:
    from safetensors.torch import load

    try:
        return load(blob.data)
    except Exception as exc:
        raise file_error(blob.path, f"cannot be read as safetensors ({exc})",
                         "It may be truncated; save it again") from None


class DataFile:
    modality = Modality.IMAGE

    def __init__(self, params: DataFileParams):
        self.params = params

    def load(self, seed: int) -> DataBundle:
        blob = read(self.params.path, WHAT)
        x, y = _arrays(blob, self.params)
        dims = {Modality.IMAGE: 4, Modality.VECTOR: 2, Modality.SEQUENCE: 3}[self.modality]
        if getattr(x, "ndim", None) != dims:
            fits = {4: "data-file", 2: "vector-data-file", 3: "sequence-data-file"}
            other = fits.get(getattr(x, "ndim", 0))
            raise file_error(blob.path, f"'{self.params.x_key}' has shape {tuple(x.shape)}; "
                             f"dataset '{COMPONENT[self.modality]}' reads "
                             f"{DIMS[self.modality]}", f"Use dataset '{other}'" if other
                             else "Reshape the inputs")
        try:
            return test_data(x, y, bounds=self.params.bounds,
                             num_classes=self.params.num_classes, source=str(blob.path))
        except DataError:
            raise
        except Exception as exc:  # pragma: no cover - a dtype torch cannot take
            raise file_error(blob.path, f"unusable arrays ({exc})") from None


class VectorDataFile(DataFile):
    modality = Modality.VECTOR


class SequenceDataFile(DataFile):
    modality = Modality.SEQUENCE
