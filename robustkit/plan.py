"""Resolving a pipeline config against the installed plugins, before any work is done.

Every name is looked up, every params dict validated, every combination checked (task,
modality, what a perturbation needs and changes, differentiability). A bad config fails here,
before data is loaded or a model trained.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from pydantic import BaseModel

from robustkit.components import DefenseForm, Kind, Modality, Needs, Target, Task
from robustkit.config import ComponentRef, Pipeline
from robustkit.errors import (
    ConfigError,
    DataError,
    IncompatibleError,
    ParamsError,
    PluginError,
)
from robustkit.objects import lookup as lookup_object
from robustkit.options import RunOptions
from robustkit.pretrained import check_plan, model_spec, stored_config
from robustkit.registry import ComponentSpec, Registry


@dataclass
class Resolved:
    """A config entry bound to its spec and validated params."""

    ref: ComponentRef
    spec: ComponentSpec
    params: BaseModel

    @property
    def name(self) -> str:
        return self.spec.name

    def params_dict(self) -> dict[str, Any]:
        return self.params.model_dump(mode="json")

    def build(self) -> Any:
        return self.spec.build(self.params)


@dataclass
class PerturbationSetting(Resolved):
    """One evaluation column: a perturbation at one strength (lists are expanded)."""

    label: str = ""
    strength: float | None = None
    samples: int | None = None  # its own test-sample count (ComponentRef.samples), if any


@dataclass
class Plan:
    config: Pipeline
    task: Task
    dataset: Resolved
    model: Resolved
    train_perturbations: list[Resolved]
    defenses: list[Resolved]
    settings: list[PerturbationSetting]
    metrics: list[Resolved]
    problems: list[str] = field(default_factory=list)
    # every non-component setting, resolved here so that no stage reads the raw config
    options: RunOptions = field(init=False)

    def __post_init__(self) -> None:
        self.options = RunOptions.from_config(self.config)

    def components(self) -> list[Resolved]:
        return [self.dataset, self.model, *self.train_perturbations, *self.defenses,
                *self.settings, *self.metrics]

    def plugin_versions(self) -> dict[str, dict[str, str | None]]:
        out = {}
        for r in self.components():
            out[r.spec.plugin] = {"distribution": r.spec.distribution, "version": r.spec.version}
        return out


@dataclass(frozen=True)
class PlanFacts:
    """What validation knows of a pipeline before any data is loaded; a component's own
    ``check`` (``check="module:function"`` at registration) receives it.

    :param differentiable: ``False`` when a defense in the pipeline blocks gradients.
    """

    task: Task
    modality: Modality
    dataset: str
    model: str
    defenses: tuple[str, ...]
    differentiable: bool


def _load_check(spec: ComponentSpec) -> Callable[[BaseModel, PlanFacts], str | None]:
    target = spec.check
    if callable(target):
        return target
    module_name, _, attr = str(target).partition(":")
    try:
        obj: Any = importlib.import_module(module_name)
        for part in attr.split(".") if attr else []:
            obj = getattr(obj, part)
    except Exception as exc:  # an import failure belongs to the plugin, not the config
        raise PluginError(
            f"{spec.label} from plugin '{spec.plugin}' could not load its check {target!r}: "
            f"{type(exc).__name__}: {exc}"
        ) from exc
    return obj


def run_component_check(r: Resolved, facts: PlanFacts) -> None:
    """Call the component's declared ``check(params, facts) -> reason | None``; a reason
    refuses the config (IncompatibleError), as the kernel's own checks do. Components use it
    for requirements only they can judge (e.g. what a wrapped library accepts)."""
    if r.spec.check is None:
        return
    try:
        reason = _load_check(r.spec)(r.params, facts)
    except (PluginError, DataError):  # DataError: the check names a bad file and its fix
        raise
    except Exception as exc:
        raise PluginError(
            f"{r.spec.label} from plugin '{r.spec.plugin}': its check failed: "
            f"{type(exc).__name__}: {exc}"
        ) from exc
    if reason:
        raise IncompatibleError(f"{r.spec.label} cannot run in this pipeline: {reason}")


def _resolve(registry: Registry, kind: Kind, ref: ComponentRef) -> Resolved:
    if ref.samples is not None:  # only test-time perturbations (via _expand) take one
        raise ConfigError(
            f"{kind.value} '{ref.name}': `samples` sets the test-sample count of one test-time "
            f"perturbation and means nothing here; remove it (the pipeline's eval_samples "
            f"sets the count for every evaluation)")
    spec = lookup_object(kind, ref.name) or registry.get(kind, ref.name)
    if kind is Kind.MODEL:  # every model accepts preprocessing = {mean, std}
        spec = model_spec(spec)
    return Resolved(ref, spec, spec.validate_params(ref.params))


def _expand(registry: Registry, ref: ComponentRef) -> list[PerturbationSetting]:
    spec = registry.get(Kind.PERTURBATION, ref.name)
    values = dict(ref.params)
    strengths: list[Any] = [None]
    if spec.strength and isinstance(values.get(spec.strength), list):
        strengths = values.pop(spec.strength)
        if not strengths:
            raise ParamsError(f"perturbation '{spec.name}': the {spec.strength} list is empty")
    elif any(isinstance(v, list) for v in values.values()):
        listed = [k for k, v in values.items() if isinstance(v, list)]
        hint = (f"only its strength param '{spec.strength}' may be a list" if spec.strength
                else "it declares no strength param, so no param may be a list")
        raise ParamsError(f"perturbation '{spec.name}': {listed} given as a list; {hint}")
    out = []
    for s in strengths:
        params = dict(values)
        if s is not None:
            params[spec.strength] = s
        model = spec.validate_params(params)
        sub = ComponentRef(name=ref.name, params=params)  # as named: "dist:pgd" stays apart
        strength = getattr(model, spec.strength) if spec.strength else None
        out.append(PerturbationSetting(sub, spec, model, label=sub.label(),
                                       strength=None if strength is None else float(strength),
                                       samples=ref.samples))
    return out


def resolve(config: Pipeline, registry: Registry) -> Plan:
    """Bind every entry of ``config`` to an installed component and check they fit together."""
    dataset = _resolve(registry, Kind.DATASET, config.dataset)
    if len(dataset.spec.tasks) != 1:
        raise ConfigError(f"dataset '{dataset.name}' must declare exactly one task")
    task = dataset.spec.tasks[0]
    modality = dataset.spec.modalities[0]
    model = _resolve(registry, Kind.MODEL, config.model)
    train_perts = [_resolve(registry, Kind.PERTURBATION, r) for r in config.train_perturbations]
    defenses = [_resolve(registry, Kind.DEFENSE, r) for r in config.defenses]
    settings = [s for r in config.perturbations for s in _expand(registry, r)]
    metrics = [_resolve(registry, Kind.METRIC, r) for r in config.metrics]

    labels = [s.label for s in settings]
    dupes = sorted({x for x in labels if labels.count(x) > 1})
    if dupes:
        raise ConfigError(f"perturbations listed twice with the same params: {dupes}")

    def need_task(r: Resolved, role: str) -> None:
        if task not in r.spec.tasks:
            served = ", ".join(t.value for t in r.spec.tasks)
            raise IncompatibleError(
                f"{r.spec.label} ({role}) serves {served}, but dataset '{dataset.name}' is a "
                f"{task.value} data set. Choose a {r.spec.kind.value} that serves {task.value}; "
                f"`robustkit list {r.spec.kind.plural}` shows each one's tasks."
            )

    need_task(model, "model")
    if modality not in model.spec.modalities:
        accepts = ", ".join(m.value for m in model.spec.modalities)
        raise IncompatibleError(
            f"model '{model.name}' accepts {accepts} inputs, but dataset '{dataset.name}' has "
            f"{modality.value} inputs. Choose a model that accepts {modality.value} inputs."
        )
    for r in train_perts:
        need_task(r, "training-time perturbation")
        if not ({Target.TRAIN_INPUTS, Target.TRAIN_LABELS} & set(r.spec.targets)):
            raise IncompatibleError(
                f"perturbation '{r.name}' changes {', '.join(t.value for t in r.spec.targets)}; "
                "it cannot go in train_perturbations, which change training data. "
                "Move it to perturbations."
            )
        if r.spec.needs is not Needs.NOTHING:
            raise IncompatibleError(
                f"perturbation '{r.name}' needs model {r.spec.needs.value}, but training-time "
                "perturbations run before any model exists."
            )
    for r in defenses:
        need_task(r, "defense")
    for s in settings:
        need_task(s, "perturbation")
        if Target.TEST_INPUTS not in s.spec.targets:
            raise IncompatibleError(
                f"perturbation '{s.name}' changes {', '.join(t.value for t in s.spec.targets)}; "
                "move it to train_perturbations (perturbations change test inputs)."
            )
        if s.spec.needs is Needs.GRADIENTS:
            blocking = [d.name for d in defenses if not d.spec.differentiable]
            if blocking:
                raise IncompatibleError(
                    f"perturbation '{s.name}' needs gradients, but defense(s) {blocking} are "
                    "not differentiable, so a gradient attack would silently fail. Use a "
                    "score-based or transfer attack, or an approximation (BPDA) of the defense."
                )
    for m in metrics:
        need_task(m, "metric")
    check_plan(dataset, model, train_perts, defenses, settings)  # pretrained, score-only
    facts = PlanFacts(task=task, modality=modality, dataset=dataset.name, model=model.name,
                      defenses=tuple(d.name for d in defenses),
                      differentiable=all(d.spec.differentiable for d in defenses))
    checked: set[str] = set()
    for r in [dataset, model, *train_perts, *defenses, *settings, *metrics]:
        key = f"{r.spec.kind.value}:{r.spec.name}:{r.params.model_dump_json()}"
        if key not in checked:  # a strength list repeats a component; check each setting once
            checked.add(key)
            run_component_check(r, facts)
    plan = Plan(config, task, dataset, model, train_perts, defenses, settings, metrics)
    # stored with the run: training marked skipped for a pretrained model, content manifests
    plan.options = replace(plan.options, record=stored_config(plan))
    return plan


def defense_forms(plan: Plan) -> dict[DefenseForm, list[Resolved]]:
    out: dict[DefenseForm, list[Resolved]] = {f: [] for f in DefenseForm}
    for d in plan.defenses:
        out[d.spec.form].append(d)  # type: ignore[index]
    return out
