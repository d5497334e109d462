"""ComponentSpec (what a plugin registered) and the Registry that holds them by kind and name."""

from __future__ import annotations

import difflib
import importlib
from collections.abc import Callable, Iterable, Mapping
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
)
from robustkit.errors import ParamsError, PluginError, UnknownComponentError


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


_KIND_OPTIONS: dict[Kind, set[str]] = {
    Kind.DATASET: {"modality"},
    Kind.MODEL: {"modalities"},
    Kind.PERTURBATION: {"needs", "targets", "strength"},
    Kind.DEFENSE: {"form", "differentiable"},
    Kind.METRIC: {"higher_is_better"},
    Kind.EXECUTOR: set(),
}


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
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def label(self) -> str:
        return f"{self.kind.value} '{self.name}'"

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


def _as_tuple(value: Any, enum: type, what: str) -> tuple:
    items = [value] if isinstance(value, (str, enum)) else list(value)
    try:
        return tuple(enum(v) for v in items)
    except ValueError:
        allowed = ", ".join(e.value for e in enum)
        raise ValueError(f"{what} must be among {allowed}; got {value!r}") from None


def make_spec(kind: Kind, name: str, factory: Any, plugin: str, **options: Any) -> ComponentSpec:
    """Turn one ``register(...)`` call into a ComponentSpec, checking every option."""
    if not isinstance(name, str) or not name or name != name.strip():
        raise ValueError(f"component name must be a non-empty string, got {name!r}")
    if not (callable(factory) or (isinstance(factory, str) and ":" in factory)):
        raise ValueError(f"{kind.value} '{name}': factory must be callable or 'module:attr'")
    allowed = {"params", "tasks", "summary", "extra"} | _KIND_OPTIONS[kind]
    unknown = set(options) - allowed
    if unknown:
        raise ValueError(
            f"{kind.value} '{name}': unknown register option(s) {sorted(unknown)}; "
            f"allowed for {kind.plural}: {sorted(allowed)}"
        )
    params = options.pop("params", None) or NoParams
    if not (isinstance(params, type) and issubclass(params, BaseModel)):
        raise ValueError(f"{kind.value} '{name}': params must be a pydantic BaseModel subclass")
    spec = ComponentSpec(kind=kind, name=name, factory=factory, params=params, plugin=plugin)
    if "tasks" in options:
        spec.tasks = _as_tuple(options.pop("tasks"), Task, "tasks")
    spec.summary = options.pop("summary", "") or ""
    spec.extra = dict(options.pop("extra", {}) or {})
    if "modality" in options:
        spec.modalities = _as_tuple(options.pop("modality"), Modality, "modality")
        if len(spec.modalities) != 1:
            raise ValueError(f"dataset '{name}': modality must be exactly one value")
    if "modalities" in options:
        spec.modalities = _as_tuple(options.pop("modalities"), Modality, "modalities")
    if "needs" in options:
        spec.needs = Needs(options.pop("needs"))
    if "targets" in options:
        spec.targets = _as_tuple(options.pop("targets"), Target, "targets")
    if "strength" in options:
        spec.strength = options.pop("strength")
        if spec.strength is not None and spec.strength not in params.model_fields:
            raise ValueError(f"perturbation '{name}': strength {spec.strength!r} is not a param")
    if "form" in options:
        spec.form = DefenseForm(options.pop("form"))
    if kind is Kind.DEFENSE and spec.form is None:
        raise ValueError(f"defense '{name}': form is required (training, input-transform, "
                         "model-wrapper)")
    if "differentiable" in options:
        spec.differentiable = bool(options.pop("differentiable"))
    if "higher_is_better" in options:
        spec.higher_is_better = bool(options.pop("higher_is_better"))
    return spec


@dataclass
class PluginRecord:
    """What is known of one plugin: where it came from, what it gave, and how it failed."""

    name: str
    distribution: str | None = None
    version: str | None = None
    module: str | None = None
    error: str | None = None
    components: dict[Kind, list[str]] = field(default_factory=dict)
    # names a failed register hook had already registered before it raised (then withdrawn)
    withdrawn: dict[Kind, list[str]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.error is None


class Registry:
    """Every component of every loaded plugin, by kind and name."""

    def __init__(self) -> None:
        self._specs: dict[Kind, dict[str, ComponentSpec]] = {k: {} for k in Kind}
        self.plugins: dict[str, PluginRecord] = {}

    # -- filling -------------------------------------------------------------------------
    def add(self, spec: ComponentSpec) -> None:
        existing = self._specs[spec.kind].get(spec.name)
        if existing is not None:
            raise ValueError(
                f"{spec.label} is already registered by plugin '{existing.plugin}'; "
                f"plugin '{spec.plugin}' must use another name"
            )
        self._specs[spec.kind][spec.name] = spec
        record = self.plugins.get(spec.plugin)
        if record is not None:
            record.components.setdefault(spec.kind, []).append(spec.name)

    def remove_plugin_components(self, plugin: str) -> dict[Kind, list[str]]:
        removed: dict[Kind, list[str]] = {}
        for kind, specs in self._specs.items():
            for name in [n for n, s in specs.items() if s.plugin == plugin]:
                del specs[name]
                removed.setdefault(kind, []).append(name)
        if plugin in self.plugins:
            self.plugins[plugin].components = {}
        return removed

    # -- reading -------------------------------------------------------------------------
    def specs(self, kind: Kind) -> list[ComponentSpec]:
        return sorted(self._specs[kind].values(), key=lambda s: s.name)

    def find(self, name: str) -> list[ComponentSpec]:
        return [specs[name] for specs in self._specs.values() if name in specs]

    def get(self, kind: Kind, name: str) -> ComponentSpec:
        spec = self._specs[kind].get(name)
        if spec is not None:
            return spec
        raise UnknownComponentError(self._unknown_message(kind, name))

    def _unknown_message(self, kind: Kind, name: str) -> str:
        for record in self.plugins.values():
            if name in record.withdrawn.get(kind, []):
                return (
                    f"{kind.value} '{name}' comes from plugin '{record.name}' "
                    f"({record.distribution or 'no distribution'}), which failed to load: "
                    f"{record.error}. Fix or reinstall that plugin."
                )
        names = list(self._specs[kind])
        msg = f"no {kind.value} named '{name}'."
        close = difflib.get_close_matches(name, names, n=3, cutoff=0.5)
        if close:
            msg += " Did you mean " + " or ".join(f"'{c}'" for c in close) + "?"
        elsewhere = [s for s in self.find(name) if s.kind is not kind]
        if elsewhere:
            msg += f" ('{name}' is a {elsewhere[0].kind.value}, not a {kind.value}.)"
        broken = [r for r in self.plugins.values() if not r.ok]
        if broken:
            msg += " Plugins that failed to load and may provide it: " + "; ".join(
                f"'{r.name}' ({r.error})" for r in broken
            ) + "."
        if names:
            msg += f" Installed {kind.plural}: {', '.join(sorted(names))}."
        else:
            msg += f" No {kind.plural} are installed; install a plugin that provides one."
        return msg

    def __iter__(self) -> Iterable[ComponentSpec]:
        for kind in Kind:
            yield from self.specs(kind)
