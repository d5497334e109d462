"""Typed registration: the ``register`` object every ``robustkit_register_*`` hook receives.

It has one method per component kind, each option a typed keyword (as tox's
``register.add_env``)::

    @hookimpl
    def robustkit_register_perturbations(register):
        register.perturbation("my-noise", "my_pkg.noise:MyNoise", params=MyParams,
                              needs="nothing", targets=["test-inputs"], strength="sigma",
                              summary="...")

The previous form, calling the object itself (``register(name, factory, **options)``), still
works: it is translated here and warns once per plugin, naming the typed call to use instead.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

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
from robustkit.spec import ComponentSpec, NoParams

if TYPE_CHECKING:
    from robustkit.registry import PluginRecord, Registry

Factory = Callable[[Any], Any] | str
Check = Callable[..., str | None] | str | None
Provenance = Callable[..., dict[str, Any]] | str | None
Tasks = Iterable[Task | str] | Task | str


def _as_tuple(value: Any, enum: type, what: str) -> tuple:
    items = [value] if isinstance(value, (str, enum)) else list(value)
    try:
        return tuple(enum(v) for v in items)
    except ValueError:
        allowed = ", ".join(e.value for e in enum)
        raise ValueError(f"{what} must be among {allowed}; got {value!r}") from None


def _one(value: Any, enum: type, what: str) -> Any:
    try:
        return enum(value)
    except ValueError:
        allowed = ", ".join(e.value for e in enum)
        raise ValueError(f"{what} must be one of {allowed}; got {value!r}") from None


def build_spec(kind: Kind, name: str, factory: Factory, plugin: str, *,
               params: type[BaseModel] | None = None, tasks: Tasks = ALL_TASKS,
               summary: str = "", check: Check = None, **fields: Any) -> ComponentSpec:
    """A checked ComponentSpec from typed options; every problem raises a ValueError that
    names the component."""
    if not isinstance(name, str) or not name or name != name.strip() or ":" in name:
        raise ValueError(f"component name must be a non-empty string without ':' or "
                         f"surrounding spaces, got {name!r}")
    label = f"{kind.value} '{name}'"
    if not (callable(factory) or (isinstance(factory, str) and ":" in factory)):
        raise ValueError(f"{label}: factory must be callable or 'module:attr'")
    params = params or NoParams
    if not (isinstance(params, type) and issubclass(params, BaseModel)):
        raise ValueError(f"{label}: params must be a pydantic BaseModel subclass")
    if not (check is None or callable(check) or (isinstance(check, str) and ":" in check)):
        raise ValueError(f"{label}: check must be callable or 'module:attr'")
    threat = fields.get("threat", Threat())
    if not isinstance(threat, Threat):
        raise ValueError(f"{label}: threat must be a robustkit.Threat, got {threat!r}")
    strength = fields.get("strength")
    if strength is not None and strength not in params.model_fields:
        raise ValueError(f"{label}: strength {strength!r} is not a param")
    return ComponentSpec(kind=kind, name=name, factory=factory, params=params, plugin=plugin,
                         tasks=_as_tuple(tasks, Task, "tasks"), summary=summary or "",
                         check=check, **fields)


class Registrar:
    """The ``register`` argument of every register hook: one typed method per kind.

    Each method raises ``ValueError`` naming the component when an option is invalid; the
    plugin is then marked failed, as for any exception in its hook.
    """

    def __init__(self, registry: Registry, record: PluginRecord, kind: Kind | None = None):
        self._registry = registry
        self._record = record
        self._kind = kind  # the hook's kind, for the deprecated call form

    def for_kind(self, kind: Kind) -> Registrar:
        """The same registrar, for the register hook of ``kind``."""
        return Registrar(self._registry, self._record, kind)

    def _add(self, kind: Kind, name: str, factory: Factory, **options: Any) -> None:
        spec = build_spec(kind, name, factory, self._record.name, **options)
        spec.distribution, spec.version = self._record.distribution, self._record.version
        try:
            self._registry.add(spec)
        except ValueError as exc:
            # a duplicate within one distribution withdraws only this component
            self._record.problems.append(str(exc))

    def dataset(self, name: str, factory: Factory, *, task: Task | str,
                modality: Modality | str, params: type[BaseModel] | None = None,
                summary: str = "", check: Check = None, test_only: bool = False,
                provenance: Provenance = None) -> None:
        """Register a :class:`robustkit.protocols.Dataset`.

        :param task: the task its labels define.
        :param modality: ``image``, ``vector`` or ``sequence``.
        :param test_only: it holds only a test split (for evaluating pretrained models).
        :param provenance: ``provenance(params) -> dict`` (file, size, ``sha256``) stored
            with each run; a callable or a lazy ``"module:attr"``.
        """
        self._add(Kind.DATASET, name, factory, params=params, summary=summary, check=check,
                  test_only=bool(test_only), provenance=provenance,
                  tasks=(_one(task, Task, "task"),),
                  modalities=(_one(modality, Modality, "modality"),))

    def model(self, name: str, factory: Factory, *,
              modalities: Iterable[Modality | str] = tuple(Modality),
              params: type[BaseModel] | None = None, tasks: Tasks = ALL_TASKS,
              summary: str = "", check: Check = None, pretrained: bool = False,
              score_only: str | None = None, provenance: Provenance = None) -> None:
        """Register a :class:`robustkit.protocols.ModelBuilder`.

        :param modalities: the input modalities the model accepts (default: all).
        :param pretrained: it is evaluated as given and never trained (a model file).
        :param score_only: why it has no gradients (e.g. it runs in onnxruntime); gradient
            perturbations are then refused at validation.
        :param provenance: ``provenance(params) -> dict`` (file, size, ``sha256``) stored
            with each run and making its fingerprint; a callable or a lazy ``"module:attr"``.
        """
        self._add(Kind.MODEL, name, factory, params=params, tasks=tasks, summary=summary,
                  check=check, modalities=_as_tuple(modalities, Modality, "modalities"),
                  pretrained=bool(pretrained), score_only=score_only, provenance=provenance)

    def perturbation(self, name: str, factory: Factory, *, needs: Needs | str,
                     targets: Iterable[Target | str] = (Target.TEST_INPUTS,),
                     strength: str | None = None, threat: Threat | None = None,
                     params: type[BaseModel] | None = None, tasks: Tasks = ALL_TASKS,
                     summary: str = "", check: Check = None,
                     all_installed: bool = True) -> None:
        """Register a :class:`robustkit.protocols.Perturbation`.

        :param needs: ``nothing``, ``scores`` (a query function) or ``gradients`` (the module).
        :param targets: ``test-inputs``, ``train-inputs`` and/or ``train-labels``.
        :param strength: the param measuring its strength (``eps``); a config may give a
            list of values for it.
        :param threat: its :class:`robustkit.Threat` (norm, iterative, unbounded), which the
            integrity checks and the report read.
        :param check: ``check(params, facts) -> reason | None`` called at validation.
        :param all_installed: ``False`` to leave it out of ``sweep --all-installed``.
        """
        self._add(Kind.PERTURBATION, name, factory, params=params, tasks=tasks,
                  summary=summary, check=check, needs=_one(needs, Needs, "needs"),
                  targets=_as_tuple(targets, Target, "targets"), strength=strength,
                  threat=threat or Threat(), all_installed=bool(all_installed))

    def training_defense(self, name: str, factory: Factory, *,
                         params: type[BaseModel] | None = None, tasks: Tasks = ALL_TASKS,
                         summary: str = "", check: Check = None) -> None:
        """Register a :class:`robustkit.protocols.TrainingDefense`."""
        self._add(Kind.DEFENSE, name, factory, params=params, tasks=tasks, summary=summary,
                  check=check, form=DefenseForm.TRAINING)

    def input_transform(self, name: str, factory: Factory, *, differentiable: bool = True,
                        params: type[BaseModel] | None = None, tasks: Tasks = ALL_TASKS,
                        summary: str = "", check: Check = None) -> None:
        """Register a :class:`robustkit.protocols.InputTransform` (applied at evaluation).

        :param differentiable: ``False`` when gradients cannot flow through it.
        """
        self._add(Kind.DEFENSE, name, factory, params=params, tasks=tasks, summary=summary,
                  check=check, form=DefenseForm.INPUT_TRANSFORM,
                  differentiable=bool(differentiable))

    def model_wrapper(self, name: str, factory: Factory, *, differentiable: bool = True,
                      params: type[BaseModel] | None = None, tasks: Tasks = ALL_TASKS,
                      summary: str = "", check: Check = None) -> None:
        """Register a :class:`robustkit.protocols.ModelWrapper`.

        :param differentiable: ``False`` when gradients cannot flow through it.
        """
        self._add(Kind.DEFENSE, name, factory, params=params, tasks=tasks, summary=summary,
                  check=check, form=DefenseForm.MODEL_WRAPPER,
                  differentiable=bool(differentiable))

    def metric(self, name: str, factory: Factory, *, higher_is_better: bool = True,
               params: type[BaseModel] | None = None, tasks: Tasks = ALL_TASKS,
               summary: str = "", check: Check = None) -> None:
        """Register a :class:`robustkit.protocols.Metric`."""
        self._add(Kind.METRIC, name, factory, params=params, tasks=tasks, summary=summary,
                  check=check, higher_is_better=bool(higher_is_better))

    def executor(self, name: str, factory: Factory, *, params: type[BaseModel] | None = None,
                 summary: str = "") -> None:
        """Register a :class:`robustkit.protocols.Executor`."""
        self._add(Kind.EXECUTOR, name, factory, params=params, summary=summary)

    # -- the deprecated form -------------------------------------------------------------
    def __call__(self, name: str, factory: Factory, **options: Any) -> None:
        """Deprecated: ``register(name, factory, **options)``; use the typed method."""
        if self._kind is None:
            raise TypeError("call register.<kind>(name, factory, ...), e.g. "
                            "register.perturbation(...)")
        spec = make_spec(self._kind, name, factory, self._record.name, **options)
        if not self._record.deprecated:
            self._record.deprecated = True
            method = typed_method(spec)
            message = (f"plugin '{self._record.name}': register({name!r}, ...) is deprecated; "
                       f"call register.{method}({name!r}, ...) with typed keywords instead "
                       "(threat=robustkit.Threat(...) replaces extra={...}); see "
                       "docs/plugin-author-guide.md")
            self._record.warnings.append(message)
            warnings.warn(message, DeprecationWarning, stacklevel=2)
        spec.distribution, spec.version = self._record.distribution, self._record.version
        try:
            self._registry.add(spec)
        except ValueError as exc:
            self._record.problems.append(str(exc))


def typed_method(spec: ComponentSpec) -> str:
    """The Registrar method that registers ``spec``'s kind (and defense form)."""
    if spec.kind is Kind.DEFENSE and spec.form is not None:
        return spec.form.value.replace("-", "_").replace("training", "training_defense")
    return spec.kind.value


# -- translating the deprecated options ---------------------------------------------------
_KIND_OPTIONS: dict[Kind, set[str]] = {
    Kind.DATASET: {"modality"},
    Kind.MODEL: {"modalities"},
    Kind.PERTURBATION: {"needs", "targets", "strength"},
    Kind.DEFENSE: {"form", "differentiable"},
    Kind.METRIC: {"higher_is_better"},
    Kind.EXECUTOR: set(),
}
_THREAT_KEYS = ("norm", "iterative", "unbounded")


def make_spec(kind: Kind, name: str, factory: Any, plugin: str, **options: Any) -> ComponentSpec:
    """Turn one deprecated ``register(name, factory, **options)`` call into a ComponentSpec:
    the kind options become typed fields, and the ``extra`` keys the kernel reads (``check``,
    ``norm``, ``iterative``, ``unbounded``, ``all_installed``) become ``check``, ``threat``
    and ``all_installed``."""
    allowed = {"params", "tasks", "summary", "extra"} | _KIND_OPTIONS[kind]
    unknown = set(options) - allowed
    if unknown:
        raise ValueError(
            f"{kind.value} '{name}': unknown register option(s) {sorted(unknown)}; "
            f"allowed for {kind.plural}: {sorted(allowed)}"
        )
    extra = dict(options.pop("extra", None) or {})
    typed: dict[str, Any] = {"check": extra.pop("check", None)}
    if "modality" in options:
        modalities = _as_tuple(options.pop("modality"), Modality, "modality")
        if len(modalities) != 1:
            raise ValueError(f"dataset '{name}': modality must be exactly one value")
        typed["modalities"] = modalities
    if "modalities" in options:
        typed["modalities"] = _as_tuple(options.pop("modalities"), Modality, "modalities")
    if "needs" in options:
        typed["needs"] = _one(options.pop("needs"), Needs, "needs")
    if "targets" in options:
        typed["targets"] = _as_tuple(options.pop("targets"), Target, "targets")
    if "strength" in options:
        typed["strength"] = options.pop("strength")
    if "form" in options:
        typed["form"] = _one(options.pop("form"), DefenseForm, "form")
    if kind is Kind.DEFENSE and "form" not in typed:
        raise ValueError(f"defense '{name}': form is required (training, input-transform, "
                         "model-wrapper)")
    for key in ("differentiable", "higher_is_better"):
        if key in options:
            typed[key] = bool(options.pop(key))
    if kind is Kind.PERTURBATION:
        facts = {k: extra.pop(k) for k in _THREAT_KEYS if k in extra}
        facts["unbounded"] = bool(facts.get("unbounded", False))
        typed["threat"] = Threat(**facts)
        typed["all_installed"] = bool(extra.pop("all_installed", True))
    spec = build_spec(kind, name, factory, plugin, **options, **typed)
    spec.notes = extra
    return spec
