"""In-memory objects as components: a torch module (or any callable returning logits) stands
wherever a model name does, tensors / NumPy arrays / an ``(x, y)`` tuple / a DataBundle
wherever a data set name does.

``Pipeline(model=net, dataset=(x, y))`` adopts each object: it is hashed by content (weights,
tensors), kept in a process-wide table under a name such as ``object:SmallCNN@1a2b3c4d5e6f``,
and the config holds only that name. The plan finds the name here as it finds a registered
component, so validation, the store, the report and sweeps treat the object like any other
component; a second object with other weights gets another name.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePath
from typing import TYPE_CHECKING, Any

from robustkit import config
from robustkit.components import DataInfo, Kind, Modality, Task
from robustkit.content import sha256_bytes, sha256_module, sha256_tensors
from robustkit.errors import ConfigError, DataError, UnknownComponentError
from robustkit.registry import ComponentSpec, NoParams

if TYPE_CHECKING:
    import torch

    from robustkit.data import DataBundle

PREFIX = "object:"
_FILE_SUFFIXES = {".pt2", ".pt", ".pth", ".onnx", ".safetensors", ".npz", ".ts", ".jit"}
_FILE_HINT = {Kind.MODEL: "model-file", Kind.DATASET: "data-file"}
PLUGIN = "python-objects"


@dataclass
class Adopted:
    """One object and the spec that stands for it."""

    kind: Kind
    obj: Any
    digest: str
    spec: ComponentSpec


_TABLE: dict[str, Adopted] = {}
_LOCK = threading.Lock()


def is_object_name(name: str) -> bool:
    return name.startswith(PREFIX)


def lookup(kind: Kind, name: str) -> ComponentSpec | None:
    """The spec of an adopted object, or ``None`` for a registered component's name."""
    if not is_object_name(name):
        if kind in _FILE_HINT and PurePath(name).suffix.lower() in _FILE_SUFFIXES:
            raise UnknownComponentError(
                f"no {kind.value} named '{name}'; to use a file, write "
                f"{{name = \"{_FILE_HINT[kind]}\", path = \"{name}\"}} (\"onnx-model\" for "
                ".onnx), or run `robustkit eval MODEL --data FILE`"
            )
        return None
    entry = _TABLE.get(name)
    if entry is None:
        raise ConfigError(
            f"{kind.value} '{name}' stood for a Python object that this process does not hold "
            "(a config saved from another session, or a worker that was not sent it). Pass the "
            "object itself again, or save it to a file and name the file."
        )
    if entry.kind is not kind:
        raise ConfigError(f"'{name}' is a {entry.kind.value} object, not a {kind.value}")
    return entry.spec


def objects_named(names: Sequence[str]) -> dict[str, Any]:
    """The adopted objects behind ``names`` (for shipping to sweep workers)."""
    return {n: _TABLE[n].obj for n in names if n in _TABLE}


def readopt(objects: dict[str, Any]) -> None:
    """Adopt objects a sweep worker received, under the names the parent gave them (a class
    sent by value may report another module here, which would change a recomputed name)."""
    for name, obj in objects.items():
        if name not in _TABLE:
            _register(name, obj, {})


# -- adopting --------------------------------------------------------------------------------
def adopt(obj: Any, **data_options: Any) -> str:
    """Adopt ``obj`` and return the name that stands for it in configs."""
    from robustkit.data import DataBundle

    kind, digest, label, _ = _describe(obj, DataBundle, data_options)
    name = f"{PREFIX}{label}@{digest[:12]}"
    if name not in _TABLE:
        _register(name, obj, data_options)
    return name


def _register(name: str, obj: Any, data_options: dict[str, Any]) -> None:
    from robustkit.data import DataBundle

    kind, digest, label, spec_options = _describe(obj, DataBundle, data_options)
    with _LOCK:
        if name not in _TABLE:
            _TABLE[name] = Adopted(kind, obj, digest,
                                   _spec(kind, name, obj, digest, label, spec_options))


def _is_data(obj: Any, bundle_type: type) -> bool:
    if isinstance(obj, bundle_type):
        return True
    return isinstance(obj, tuple | list) and len(obj) == 2 and all(_is_array(a) for a in obj)


def _is_array(a: Any) -> bool:
    import numpy as np
    import torch

    return isinstance(a, torch.Tensor | np.ndarray)


def _describe(obj: Any, bundle_type: type, data_options: dict[str, Any]
              ) -> tuple[Kind, str, str, dict[str, Any]]:
    import torch

    if _is_data(obj, bundle_type):
        bundle = obj if isinstance(obj, bundle_type) else test_data(*obj, **data_options)
        return Kind.DATASET, _bundle_digest(bundle), "data", {"bundle": bundle}
    if data_options:
        raise ConfigError(f"data options {sorted(data_options)} apply to data, not to a model")
    if isinstance(obj, torch.nn.Module):
        return Kind.MODEL, sha256_module(obj), type(obj).__name__, {}
    if _is_array(obj):
        raise ConfigError("a data set needs labels too: pass (x, y), not x alone")
    if callable(obj) and not isinstance(obj, type):
        return Kind.MODEL, _callable_digest(obj), getattr(obj, "__name__", "callable"), {}
    raise ConfigError(
        f"cannot use a {type(obj).__name__} as a component: a model is a torch.nn.Module or a "
        "callable returning logits, a data set is (x, y) arrays or a robustkit.DataBundle"
    )


def _callable_digest(fn: Any) -> str:
    import pickle
    import uuid

    try:
        return sha256_bytes(pickle.dumps(fn))
    except Exception:
        # no content to hash: a name of its own, so it can never match another callable
        return sha256_bytes(uuid.uuid4().bytes)


def _bundle_digest(bundle: DataBundle) -> str:
    parts = [("x_train", bundle.x_train), ("y_train", bundle.y_train),
             ("x_test", bundle.x_test), ("y_test", bundle.y_test)]
    return sha256_bytes((sha256_tensors(parts) + repr(bundle.info.as_dict())).encode())


def _spec(kind: Kind, name: str, obj: Any, digest: str, label: str,
          options: dict[str, Any]) -> ComponentSpec:
    if kind is Kind.MODEL:
        return ComponentSpec(
            kind=kind, name=name, factory=lambda params: _ModelBuilder(name), params=NoParams,
            plugin=PLUGIN, summary=f"in-memory {type(obj).__name__}", pretrained=True,
            provenance=lambda params: {
                "object": f"{type(obj).__module__}.{type(obj).__qualname__}",
                "sha256": digest, "hashed": "state-dict tensors"})
    bundle = options["bundle"]
    info: DataInfo = bundle.info
    return ComponentSpec(
        kind=kind, name=name, factory=lambda params: _DataLoader(bundle),
        params=NoParams, plugin=PLUGIN, tasks=(info.task,), modalities=(info.modality,),
        summary="in-memory data", test_only=int(bundle.x_train.shape[0]) == 0,
        provenance=lambda params: {"object": "data", "sha256": digest,
                                   "test_samples": int(bundle.x_test.shape[0])})


class _ModelBuilder:
    """Builds an adopted module; refuses one whose weights changed since it was adopted."""

    def __init__(self, name: str):
        self.name = name
        self.source = f"in-memory model {name}"

    def build(self, info: DataInfo) -> torch.nn.Module:
        import torch

        from robustkit.modules import CallableModel, FixedMode

        entry = _TABLE[self.name]
        obj = entry.obj
        if isinstance(obj, torch.nn.Module):
            if sha256_module(obj) != entry.digest:
                raise DataError(
                    f"{self.source}: its weights changed after it was passed in (the stored "
                    "numbers would name other weights). Pass the module again to evaluate "
                    "the new weights."
                )
            self.sha256 = entry.digest
            return FixedMode(obj) if _cannot_switch_mode(obj) else obj
        return CallableModel(obj)


def _cannot_switch_mode(module: torch.nn.Module) -> bool:
    try:
        module.train(module.training)
    except NotImplementedError:
        return True
    return False


class _DataLoader:
    def __init__(self, bundle: DataBundle):
        self.bundle = bundle

    def load(self, seed: int) -> DataBundle:
        # a copy: a pipeline replaces splits (training perturbations); the user's stays as is
        return dataclasses.replace(self.bundle, extras=dict(self.bundle.extras))


# -- building test data ------------------------------------------------------------------------
def _tensor(a: Any, what: str) -> torch.Tensor:
    import numpy as np
    import torch

    if isinstance(a, np.ndarray):
        if a.dtype == object:
            raise DataError(f"{what} is a NumPy array of Python objects; give numbers")
        a = torch.from_numpy(np.ascontiguousarray(a))
    if not isinstance(a, torch.Tensor):
        raise DataError(f"{what} must be a torch tensor or NumPy array, got {type(a).__name__}")
    return a.detach().cpu()


_MODALITY = {4: Modality.IMAGE, 2: Modality.VECTOR, 3: Modality.SEQUENCE}


def test_data(x: Any, y: Any, *, bounds: tuple[float, float] = (0.0, 1.0),
              num_classes: int | None = None, source: str = "data") -> DataBundle:
    """A test-only classification DataBundle from inputs and integer labels.

    :param x: inputs, ``N x C x H x W`` images, ``N x F`` vectors or ``N x T x F`` sequences.
    :param y: class labels, ``N`` integers.
    :param bounds: the interval inputs lie in; attacks clip to it (pixel space, before any
        model preprocessing).
    :param num_classes: defaults to the largest label + 1; give it when the test labels do
        not show every class.
    """
    import torch

    from robustkit.data import DataBundle

    xt, yt = _tensor(x, f"{source}: inputs"), _tensor(y, f"{source}: labels")
    if not xt.is_floating_point():
        raise DataError(
            f"{source}: inputs have dtype {xt.dtype}; give floats in {list(bounds)} (e.g. "
            "uint8 images divided by 255)"
        )
    if xt.dtype == torch.float64:
        xt = xt.float()  # models are float32; a float64 input would fail inside the first layer
    if yt.is_floating_point() or yt.dtype == torch.bool:
        raise DataError(f"{source}: labels have dtype {yt.dtype}; classification labels must "
                        "be integers (class indices)")
    if yt.dim() != 1:
        raise DataError(f"{source}: labels have shape {tuple(yt.shape)}; expected one class "
                        "index per input")
    yt = yt.long()
    modality = _MODALITY.get(xt.dim())
    if modality is None:
        raise DataError(f"{source}: inputs have {xt.dim()} dimensions {tuple(xt.shape)}; "
                        "expected N x C x H x W, N x F or N x T x F")
    if yt.numel() and int(yt.min()) < 0:
        raise DataError(f"{source}: labels include {int(yt.min())}; class indices start at 0")
    classes = num_classes if num_classes is not None else int(yt.max()) + 1 if yt.numel() else 0
    info = DataInfo(task=Task.CLASSIFICATION, modality=modality, input_shape=tuple(xt.shape[1:]),
                    bounds=(float(bounds[0]), float(bounds[1])), num_classes=classes)
    bundle = DataBundle(xt[:0], yt[:0], xt, yt, info, extras={"test_only": True})
    return bundle.validate(source)


config.adopt_object = adopt  # objects stand wherever a config takes a component name
