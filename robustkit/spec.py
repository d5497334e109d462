"""ComponentSpec: everything the kernel knows of one registered component without importing
its code, and the Params base its parameter models derive from."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from robustkit import strict
from robustkit.components import (
    ALL_TASKS,
    DefenseForm,
    Kind,
    Modality,
    Needs,
    Target,
    Task,
    Threat,
)
from robustkit.errors import ParamsError, PluginError


class Params(BaseModel):
    """Base for component parameter models: unknown keys are errors, not silently ignored."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class NoParams(Params):
    """For components that take no parameters."""


class LazyParams(Params):
    """A Params base whose validator is built on first use, not at class creation: for
    plugins that generate many params models at registration (adapters over a whole peer
    library), so that ``robustkit plugins`` stays fast."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)


@dataclass
class ComponentSpec:
    """One registered component: everything the kernel knows without importing its code."""

    kind: Kind
    name: str
    factory: Callable[..., Any] | str
    params: type[BaseModel] = NoParams
    tasks: tuple[Task, ...] = ALL_TASKS
    summary: str = ""
    plugin: str = "?"
    distribution: str | None = None
    version: str | None = None
    # kind-specific declarations
    modalities: tuple[Modality, ...] = tuple(Modality)
    needs: Needs = Needs.NOTHING
    targets: tuple[Target, ...] = (Target.TEST_INPUTS,)
    strength: str | None = None
    form: DefenseForm | None = None
    differentiable: bool = True
    higher_is_better: bool = True
    threat: Threat = field(default_factory=Threat)
    # plan-time check(params, facts) -> reason | None, a callable or a lazy "module:attr"
    check: Callable[..., str | None] | str | None = None
    # named by `robustkit sweep --all-installed` (False: only when named explicitly)
    all_installed: bool = True
    # bring your own model (docs/byom.md): a model evaluated as given, never trained
    pretrained: bool = False
    # a model without gradients (e.g. onnxruntime): why; gradient perturbations are refused
    score_only: str | None = None
    # a data set holding only a test split: a model robustkit would train is refused with it
    test_only: bool = False
    # provenance(params) -> {file, size, sha256, ...}: stored with the run, its fingerprint
    provenance: Callable[..., dict[str, Any]] | str | None = None
    # informational facts from the deprecated extra={...}; the kernel never reads them
    notes: dict[str, Any] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return f"{self.kind.value} '{self.name}'"

    @property
    def owner(self) -> str:
        """Who provides it: the distribution, or the plugin's name when it has none."""
        return self.distribution or self.plugin

    @property
    def qualified_name(self) -> str:
        """``distribution:name``, the form that picks it when two distributions clash."""
        return f"{self.owner}:{self.name}"

    def load_factory(self) -> Callable[..., Any]:
        """Resolve a lazy ``"module:attr"`` factory, naming the plugin if the import fails."""
        if not isinstance(self.factory, str):
            return self.factory
        module_name, _, attr = self.factory.partition(":")
        try:
            obj: Any = importlib.import_module(module_name)
            for part in attr.split(".") if attr else []:
                obj = getattr(obj, part)
        except Exception as exc:  # any import-time failure belongs to the plugin
            raise PluginError(
                f"{self.label} from plugin '{self.plugin}' could not load its factory "
                f"{self.factory!r}: {type(exc).__name__}: {exc}. Reinstall or fix that plugin."
            ) from exc
        return obj

    def validate_params(self, values: Mapping[str, Any] | None) -> BaseModel:
        """Validate ``values`` against the Params model with an error a user can act on."""
        values = dict(values or {})
        unknown = sorted(set(values) - set(self.params.model_fields))
        if unknown:
            allowed = ", ".join(sorted(self.params.model_fields)) or "(none)"
            raise ParamsError(
                f"{self.label}: unknown parameter(s) {', '.join(map(repr, unknown))}; "
                f"allowed: {allowed}. See `robustkit describe {self.name}`."
            )
        try:
            return strict.validate(self.params, values)  # `steps = true` is no integer
        except ValidationError as exc:
            raise ParamsError(self._explain(exc)) from None

    def _explain(self, exc: ValidationError) -> str:
        schema = self.params.model_json_schema().get("properties", {})
        lines = [f"{self.label} has invalid parameters:"]
        for err in exc.errors():
            field_name = ".".join(str(p) for p in err["loc"]) or "(params)"
            top = str(err["loc"][0]) if err["loc"] else ""
            bounds = describe_bounds(schema.get(top, {}))
            hint = f" (allowed: {bounds})" if bounds else ""
            lines.append(
                f"  - {field_name} = {err.get('input')!r}: {err['msg']}{hint}"
            )
        lines.append(f"See `robustkit describe {self.name}` for every parameter.")
        return "\n".join(lines)

    def build(self, values: Mapping[str, Any] | BaseModel | None = None) -> Any:
        """Validate params and call the factory: the component object the pipeline uses."""
        params = values if isinstance(values, BaseModel) else self.validate_params(values)
        factory = self.load_factory()
        try:
            return factory(params)
        except Exception as exc:
            if isinstance(exc, (ParamsError, PluginError)):
                raise
            raise PluginError(
                f"{self.label} from plugin '{self.plugin}' failed to build: "
                f"{type(exc).__name__}: {exc}"
            ) from exc


def describe_bounds(prop: Mapping[str, Any]) -> str:
    """Human text for a JSON-schema property's constraints: ``>= 0, <= 1`` or ``one of a, b``."""
    if "anyOf" in prop:
        parts = [describe_bounds(p) or p.get("type", "") for p in prop["anyOf"]]
        return " or ".join(p for p in parts if p)
    parts = []
    for key, sym in (
        ("minimum", ">="),
        ("exclusiveMinimum", ">"),
        ("maximum", "<="),
        ("exclusiveMaximum", "<"),
        ("minLength", "length >="),
        ("maxLength", "length <="),
        ("minItems", "items >="),
    ):
        if key in prop:
            parts.append(f"{sym} {prop[key]}")
    if "enum" in prop:
        parts.append("one of " + ", ".join(map(str, prop["enum"])))
    if "const" in prop:
        parts.append(f"exactly {prop['const']}")
    return ", ".join(parts)


