"""Models trained elsewhere: how the plan and the pipeline treat them.

A model component registered with ``pretrained=True`` (a model file, an in-memory module)
is evaluated as given: nothing is trained, no training set is needed, and the stored
config says so. Its identity is the content hash its ``provenance(params)`` reports
(file name, size, SHA-256 of the bytes, or the hash of the state-dict tensors), recorded in the
run's stored config and used as the run's fingerprint.

Every model also accepts ``preprocessing = {mean, std}`` (see :mod:`robustkit.preprocessing`):
:func:`model_spec` derives a spec whose params model has that extra field.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, Field, create_model, model_serializer

from robustkit.cache import fingerprint
from robustkit.components import DefenseForm, Needs, Task
from robustkit.errors import DataError, IncompatibleError
from robustkit.preprocessing import Preprocessing, normalise
from robustkit.registry import ComponentSpec

if TYPE_CHECKING:
    import torch

    from robustkit.components import DataInfo
    from robustkit.plan import Plan, Resolved

def load_attr(target: str) -> Any:
    import importlib

    module_name, _, attr = target.partition(":")
    obj: Any = importlib.import_module(module_name)
    for part in attr.split(".") if attr else []:
        obj = getattr(obj, part)
    return obj


PRETRAINED_NOTE = "skipped: pretrained model, evaluated as given (nothing was trained)"
_DERIVED: dict[int, tuple[ComponentSpec, ComponentSpec]] = {}


def is_pretrained(spec: ComponentSpec) -> bool:
    return spec.pretrained


def is_score_only(spec: ComponentSpec) -> bool:
    return spec.score_only is not None


def is_test_only(spec: ComponentSpec) -> bool:
    return spec.test_only


# -- the model spec every plan uses ----------------------------------------------------------
def model_spec(spec: ComponentSpec) -> ComponentSpec:
    """``spec`` with a ``preprocessing`` param and a builder that applies it and, for a
    pretrained model, checks its inputs and outputs against the data set before any work."""
    if "preprocessing" in spec.params.model_fields:
        return spec
    hit = _DERIVED.get(id(spec))
    if hit is not None and hit[0] is spec:
        return hit[1]
    params = create_model(  # type: ignore[call-overload]
        spec.params.__name__, __base__=(spec.params, _DropsUnsetPreprocessing),
        __module__=spec.params.__module__,
        preprocessing=(Preprocessing | None, Field(None, description=(
            "normalise inputs inside the model: {mean = [...], std = [...]} per channel; "
            "attacks, ε and bounds stay in the data's space"))),
    )

    def factory(values: BaseModel) -> _Builder:
        inner = spec.params.model_validate(values.model_dump(exclude={"preprocessing"}))
        return _Builder(spec, spec.build(inner), values.preprocessing)  # type: ignore[attr-defined]

    derived = dataclasses.replace(spec, params=params, factory=factory)
    _DERIVED[id(spec)] = (spec, derived)
    return derived


class _DropsUnsetPreprocessing(BaseModel):
    """Leaves ``preprocessing`` out of the dump when unset, so a model's params (and the
    model-cache keys made from them) are what they were before every model accepted it."""

    @model_serializer(mode="wrap")
    def _drop_unset(self, handler: Any) -> Any:
        data = handler(self)
        if isinstance(data, dict) and data.get("preprocessing") is None:
            data.pop("preprocessing", None)
        return data


class _Builder:
    """Builds the inner component's model, normalises it, and probes a pretrained one."""

    def __init__(self, spec: ComponentSpec, inner: Any, pre: Preprocessing | None):
        self.spec, self.inner, self.pre = spec, inner, pre

    def __getattr__(self, name: str) -> Any:  # anything else the inner builder offers
        return getattr(self.inner, name)

    def build(self, info: DataInfo) -> Any:
        model = self.inner.build(info)
        source = getattr(self.inner, "source", self.spec.label)
        if self.pre is not None:
            model = normalise(model, self.pre, info, source)
        if is_pretrained(self.spec):
            check_model(model, info, source)
        return model


def check_model(model: torch.nn.Module, info: DataInfo, source: str) -> None:
    """Run ``model`` on three inputs of the data set's shape: one clear error naming ``source``
    if it refuses them or returns the wrong number of classes."""
    import math

    import torch

    from robustkit.modules import set_mode

    lo, hi = info.bounds
    mid = (lo + hi) / 2 if math.isfinite(lo) and math.isfinite(hi) else 0.0
    # three inputs: a batch size nobody exports with, so a fixed batch dimension shows here
    x = torch.full((3, *info.input_shape), float(mid))
    set_mode(model, False)
    try:
        with torch.no_grad():
            out = model(x)
    except Exception as exc:
        first = (str(exc).strip().splitlines() or [""])[0][:300]
        if _accepts_one(model, x[:1]):
            raise DataError(
                f"{source} accepts one input at a time but not a batch of 3 ({first}). Export "
                "it with a dynamic batch dimension: torch.export.export(model, (x,), "
                "dynamic_shapes=({0: torch.export.Dim('batch')},))"
            ) from None
        raise DataError(
            f"{source} does not accept the data set's inputs of shape "
            f"{tuple(info.input_shape)} per sample ({type(exc).__name__}: {first}). Evaluate it "
            "on the data it was trained for, or export/build it for inputs of this shape."
        ) from None
    if not isinstance(out, torch.Tensor):
        raise DataError(f"{source} returned {type(out).__name__}; a model must return one "
                        "tensor of logits (a tuple or dict output needs a wrapper that picks it)")
    if info.task is Task.CLASSIFICATION and info.num_classes is not None and (
            out.dim() != 2 or out.shape != (3, info.num_classes)):
        width = out.shape[-1] if out.dim() >= 1 else 0
        raise DataError(
            f"{source} returns outputs of shape {tuple(out.shape[1:])} per input ({width} "
            f"scores), but the data set has {info.num_classes} classes. Evaluate it on data "
            "with as many classes as the model has outputs (set num_classes if the test "
            "labels do not show them all)."
        )
    if out.is_floating_point() and not torch.isfinite(out).all():
        raise DataError(f"{source} returned NaN or infinite outputs on mid-range inputs")


def _accepts_one(model: Any, x: Any) -> bool:
    import torch

    try:
        with torch.no_grad():
            model(x)
    except Exception:
        return False
    return True


# -- validation --------------------------------------------------------------------------------
def check_plan(dataset: Resolved, model: Resolved, train_perts: list[Resolved],
               defenses: list[Resolved], settings: list[Any]) -> None:
    """Refuse what cannot work with a pretrained or score-only model or test-only data."""
    if is_test_only(dataset.spec) and not is_pretrained(model.spec):
        raise IncompatibleError(
            f"dataset '{dataset.name}' holds only a test split, so model '{model.name}' cannot "
            "be trained on it. Evaluate a trained model (a model file or a torch module), or "
            "use a data set with a training split."
        )
    if is_pretrained(model.spec):
        training = [d.name for d in defenses if d.spec.form is DefenseForm.TRAINING]
        if training or train_perts:
            what = training + [r.name for r in train_perts]
            raise IncompatibleError(
                f"model '{model.name}' is pretrained and evaluated as given, but {what} change "
                "how a model is trained. Remove them, or train the model in robustkit."
            )
    if is_score_only(model.spec):
        for s in settings:
            if s.spec.needs is Needs.GRADIENTS:
                raise IncompatibleError(
                    f"model '{model.name}' gives scores only (no gradients: "
                    f"{model.spec.score_only}), "
                    f"so perturbation '{s.name}', which needs gradients, cannot run on it. Use "
                    "noise or a score-based attack (e.g. zoo, autozoom; `robustkit list "
                    "perturbations` shows what each needs), or load the model as a .pt2, "
                    "TorchScript or state-dict file to run gradient attacks."
                )


# -- what the store records ------------------------------------------------------------------
def provenance(plan: Plan) -> dict[str, Any]:
    """Name, size and hash of every component that stands for content (model files, objects),
    computed once per plan: the values the run is stored and fingerprinted with."""
    cached = plan.__dict__.get("_provenance")
    if cached is not None:
        return cached
    out: dict[str, Any] = {}
    for role, r in (("dataset", plan.dataset), ("model", plan.model)):
        describe = r.spec.provenance
        if isinstance(describe, str):  # a lazy "module:function", as for a check
            describe = load_attr(describe)
        if describe is not None:
            out[role] = describe(r.params)
    plan.__dict__["_provenance"] = out
    return out


def stored_config(plan: Plan) -> dict[str, Any]:
    """The config as stored with the run: training marked skipped for a pretrained model,
    and the content (file, size, hash) behind each file-backed or in-memory component."""
    config = plan.config.to_dict()
    if is_pretrained(plan.model.spec):
        config["training"] = {"skipped": PRETRAINED_NOTE}
    found = provenance(plan)
    if found:
        config["provenance"] = found
    return config


def display_name(config: dict[str, Any], role: str) -> str:
    """How reports name a stored run's dataset or model: a file-backed one by its file too
    (``model-file:net.pt2``), so two files never share a row."""
    name = config[role]["name"]
    found = (config.get("provenance") or {}).get(role) or {}
    return f"{name}:{found['file']}" if "file" in found else name


def run_fingerprint(plan: Plan) -> str:
    """The run's fingerprint for a pretrained model: its content, params and defenses."""
    return fingerprint({
        "pretrained": provenance(plan).get("model"),
        "model": [plan.model.name, plan.model.params_dict()],
        "dataset": provenance(plan).get("dataset") or [plan.dataset.name,
                                                        plan.dataset.params_dict()],
        "defenses": [[d.name, d.params_dict()] for d in plan.defenses],
    })


def confirm_content(plan: Plan, builder: Any) -> None:
    """The model that was loaded is the one the run recorded (a file may change meanwhile)."""
    recorded = (provenance(plan).get("model") or {}).get("sha256")
    loaded = getattr(builder, "sha256", None)
    if recorded and loaded and recorded != loaded:
        raise DataError(
            f"{getattr(builder, 'source', plan.model.spec.label)} changed while the run was "
            "starting (its content hash differs from the one recorded); rerun when the file "
            "is no longer being written."
        )
