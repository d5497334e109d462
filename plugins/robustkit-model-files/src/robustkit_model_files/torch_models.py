"""Loading a torch model file: a torch.export archive, TorchScript, or a state dict plus the
factory that builds the model. Each is read from bytes hashed once, so the weights that run
are the weights the store records."""

from __future__ import annotations

import importlib
import io
import pickle
from collections import OrderedDict
from pathlib import Path
from typing import Any

import torch
from torch import nn

from robustkit_model_files.files import FileBytes, file_error, manifest, read
from robustkit_model_files.formats import detect
from robustkit_model_files.params import ModelFileParams

WHAT = "model file"
_LOADED: OrderedDict[tuple, tuple[str, nn.Module]] = OrderedDict()
_KEEP = 2  # loaded models remembered, so validation and the run load a file once


def provenance(params: ModelFileParams) -> dict[str, Any]:
    return {**manifest(params.path, WHAT), "format": params.format,
            **({"factory": params.factory} if params.factory else {})}


def check(params: ModelFileParams, facts: Any) -> str | None:
    """Load the file at validation, so a missing, truncated or unsafe file is refused before
    any data is loaded (the error is raised, naming the file and the fix)."""
    load(params)
    return None


def load(params: ModelFileParams) -> tuple[FileBytes, nn.Module]:
    blob = read(params.path, WHAT)
    key = (blob.sha256, params.model_dump_json(exclude={"preprocessing"}))
    if key in _LOADED:
        _LOADED.move_to_end(key)
        return blob, _LOADED[key][1]
    fmt = detect(blob.path, blob.data, params.format)
    module = {"export": _export, "torchscript": _torchscript,
              "state-dict": _state_dict}[fmt](blob, params)
    _LOADED[key] = (fmt, module)
    while len(_LOADED) > _KEEP:
        _LOADED.popitem(last=False)
    return blob, module


def _unreadable(blob: FileBytes, as_what: str, exc: Exception, how: str) -> Exception:
    first = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:240]
    return file_error(
        blob.path, f"cannot be read as {as_what} ({blob.size} bytes; {type(exc).__name__}: "
        f"{first})", f"The file may be truncated or of another format; {how}")


def _export(blob: FileBytes, params: ModelFileParams) -> nn.Module:
    from robustkit.modules import FixedMode

    try:
        program = torch.export.load(io.BytesIO(blob.data))
    except Exception as exc:
        raise _unreadable(blob, "a torch.export archive", exc,
                          "save it with torch.export.save(torch.export.export(model, (x,)), "
                          "path)") from None
    # an exported program cannot switch train/eval; FixedMode keeps the mode it was saved in
    return FixedMode(program.module())


def _torchscript(blob: FileBytes, params: ModelFileParams) -> nn.Module:
    try:
        return torch.jit.load(io.BytesIO(blob.data), map_location="cpu")
    except Exception as exc:
        raise _unreadable(blob, "TorchScript", exc,
                          "save it with torch.jit.script(model).save(path)") from None


def _state_dict(blob: FileBytes, params: ModelFileParams) -> nn.Module:
    state = _read_state(blob, params)
    if params.factory is None:
        raise file_error(
            blob.path, f"holds a state dict ({len(state)} tensors) but no model to put it in",
            "Give factory = 'package.module:callable' (and factory_kwargs) that builds the "
            "model, or save the model with torch.export.save / TorchScript instead")
    model = _build(params, blob.path)
    result = _load_into(model, state, params, blob.path)
    if result:
        raise file_error(blob.path, f"does not fit the model {params.factory} builds: {result}",
                         "Check factory_kwargs (layer sizes), or set strict = false to allow "
                         "missing or extra keys")
    return model.eval()


def _read_state(blob: FileBytes, params: ModelFileParams) -> dict[str, torch.Tensor]:
    if blob.path.suffix.lower() == ".safetensors":
        from safetensors import SafetensorError
        from safetensors.torch import load as load_safetensors

        try:
            return load_safetensors(blob.data)
        except (SafetensorError, Exception) as exc:
            raise _unreadable(blob, "safetensors", exc,
                              "save it with safetensors.torch.save_file(state_dict, path)"
                              ) from None
    try:
        # weights_only: a model file can never run code on this machine
        obj = torch.load(io.BytesIO(blob.data), map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as exc:
        if "weights only" in str(exc).lower() or "weights_only" in str(exc):
            raise file_error(
                blob.path, "holds pickled Python objects, not only tensors; robustkit loads "
                ".pt files with weights_only=True so that a file cannot run code",
                "Save model.state_dict() (with factory = ...), or export the model: "
                "torch.export.save(torch.export.export(model, (x,)), 'model.pt2')") from None
        raise _unreadable(blob, "a torch state dict", exc, "save it with "
                          "torch.save(model.state_dict(), path)") from None
    except Exception as exc:
        raise _unreadable(blob, "a torch state dict", exc,
                          "save it with torch.save(model.state_dict(), path)") from None
    return _pick_state(obj, params, blob.path)


def _pick_state(obj: Any, params: ModelFileParams, path: Path) -> dict[str, torch.Tensor]:
    if not isinstance(obj, dict):
        raise file_error(path, f"holds a {type(obj).__name__}, not a state dict",
                         "Save model.state_dict()")
    keys = [params.state_dict_key] if params.state_dict_key else []
    if not keys and not _all_tensors(obj):
        keys = [k for k in ("state_dict", "model_state_dict") if isinstance(obj.get(k), dict)]
    if keys:
        if keys[0] not in obj:
            raise file_error(path, f"has no key {keys[0]!r} (keys: {sorted(obj)[:10]})",
                             "Set state_dict_key to the key that holds the weights")
        obj = obj[keys[0]]
    if not isinstance(obj, dict) or not _all_tensors(obj):
        raise file_error(path, "is a dict, but not of tensors", "Set state_dict_key to the "
                         "key that holds the state dict")
    return obj


def _all_tensors(d: dict) -> bool:
    return bool(d) and all(isinstance(v, torch.Tensor) for v in d.values())


def _build(params: ModelFileParams, path: Path) -> nn.Module:
    module_name, _, attr = str(params.factory).partition(":")
    try:
        obj: Any = importlib.import_module(module_name)
        for part in attr.split("."):
            obj = getattr(obj, part)
    except Exception as exc:
        raise file_error(path, f"its factory {params.factory!r} cannot be imported "
                         f"({type(exc).__name__}: {exc})", "Make that module importable "
                         "(installed, or on PYTHONPATH)") from None
    try:
        model = obj(**params.factory_kwargs)
    except Exception as exc:
        raise file_error(path, f"factory {params.factory!r} failed with factory_kwargs "
                         f"{params.factory_kwargs} ({type(exc).__name__}: {exc})") from None
    if not isinstance(model, nn.Module):
        raise file_error(path, f"factory {params.factory!r} returned a "
                         f"{type(model).__name__}, not a torch.nn.Module")
    return model


def _load_into(model: nn.Module, state: dict, params: ModelFileParams, path: Path) -> str:
    try:
        missing, unexpected = model.load_state_dict(state, strict=False)
    except RuntimeError as exc:  # shapes that differ
        return " ".join(str(exc).split())[:400]
    if params.strict and (missing or unexpected):
        return f"missing keys {list(missing)[:8]}, unexpected keys {list(unexpected)[:8]}"
    return ""


class ModelFile:
    """The builder the pipeline calls: the loaded module, its source and hash."""

    def __init__(self, params: ModelFileParams):
        self.params = params
        self.source = f"{WHAT} {params.path}"

    def build(self, info: Any) -> nn.Module:
        blob, module = load(self.params)
        self.sha256 = blob.sha256
        self.source = f"{WHAT} {blob.path}"
        return module
