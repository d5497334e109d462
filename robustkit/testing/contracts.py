"""The contract suite: which checks apply to a component, and running them.

``check_component("defense", "my-defense")`` runs every contract for that component and raises
one :class:`ContractFailure` listing each broken contract with its fix. Importing this module
does not import torch; the checks that run a component import it when they run.
"""

from __future__ import annotations

import functools
import subprocess
import sys
from collections.abc import Callable, Mapping
from typing import Any

from robustkit.components import Kind, Modality, Task
from robustkit.errors import UnknownComponentError
from robustkit.registry import AmbiguousComponentError, ComponentSpec, Registry
from robustkit.testing import params_checks
from robustkit.testing.failure import ContractFailure, fail

DataFactory = Callable[[int], Any]  # seed -> robustkit.DataBundle
# the Registrar method(s) registering each kind, for the fixes the contracts suggest
REGISTER_CALL = {Kind.DATASET: "dataset", Kind.MODEL: "model",
                 Kind.PERTURBATION: "perturbation",
                 Kind.DEFENSE: "training_defense (or .input_transform, .model_wrapper)",
                 Kind.METRIC: "metric", Kind.EXECUTOR: "executor"}

COMMON_CHECKS = ("registers", "lazy-import", "params-validate", "params-bounds", "params-reject")
KIND_CHECKS: dict[Kind, tuple[str, ...]] = {
    Kind.DATASET: ("dataset-load", "seed"),
    Kind.MODEL: ("model-build", "seed", "device"),
    Kind.PERTURBATION: ("perturbation-bounds", "seed", "device"),
    Kind.DEFENSE: ("defense-interface", "defense-gradients", "seed", "device"),
    Kind.METRIC: ("metric-empty", "metric-values", "seed", "device"),
    Kind.EXECUTOR: ("executor-map",),
}


class ContractSuite:
    """Every contract of one registered component.

    :param kind: ``dataset``, ``model``, ``perturbation``, ``defense``, ``metric`` or
        ``executor`` (plural and any case accepted).
    :param name: the registered component name.
    :param plugin: a plugin module or object to register instead of reading the installed
        entry points (to test a component before it is packaged). Without it, the component
        must come from an installed distribution's ``robustkit`` entry point.
    :param params: parameter values to build the component with (default: its defaults).
    :param stochastic: the component is random (noise, random crops, a data set's shuffled
        split): different seeds must then give different outputs.
    :param data: ``data(seed) -> DataBundle`` for components that serve neither
        classification nor regression on images, or that need a particular input shape.
    :param device: torch device the device contract runs on (default ``cpu``, plus ``cuda``
        when it is available).
    :param strongest: the strength value the bounds contract also tries (default: the
        strength param's upper bound). Give a smaller one when the bound is a budget that
        would take long to spend (e.g. ``max_queries``).
    """

    def __init__(
        self,
        kind: str | Kind,
        name: str,
        *,
        plugin: Any = None,
        params: Mapping[str, Any] | None = None,
        stochastic: bool = False,
        data: DataFactory | None = None,
        device: str | None = None,
        strongest: float | None = None,
    ) -> None:
        self.kind = kind if isinstance(kind, Kind) else Kind.parse(kind)
        self.name = name
        self.plugin = plugin
        self.params_values = dict(params or {})
        self.stochastic = stochastic
        self.data = data
        self.device = device or "cpu"
        self.strongest = strongest
        self._registry: Registry | None = None

    def __repr__(self) -> str:
        return f"ContractSuite({self.kind.value!r}, {self.name!r})"

    # -- the component ----------------------------------------------------------------
    @property
    def registry(self) -> Registry:
        if self._registry is None:
            from robustkit.plugins import PluginHost, get_registry

            if self.plugin is None:
                self._registry = get_registry()
            else:
                self._registry = PluginHost(load_entry_points=False, extra=[self.plugin]).registry
        return self._registry

    @property
    def label(self) -> str:
        return f"{self.kind.value} '{self.name}'"

    @property
    def spec(self) -> ComponentSpec:
        try:
            return self.registry.get(self.kind, self.name)
        except AmbiguousComponentError as exc:
            fail(self.label, "registers", str(exc),
                 "uninstall one of the two distributions, or name the component as "
                 "'distribution:name' in contract_tests()")
        except UnknownComponentError:
            pass
        specs = self.registry.specs(self.kind)
        broken = [f"'{r.name}': {r.error}" for r in self.registry.plugins.values() if not r.ok]
        where = ("the plugin object passed as plugin=" if self.plugin is not None
                 else "any installed distribution's [project.entry-points.robustkit]")
        problem = f"no {self.kind.value} named '{self.name}' is registered by {where}"
        if broken:
            problem += "; plugins that failed to load: " + "; ".join(broken)
        if specs:
            problem += f"; registered {self.kind.plural}: {', '.join(s.name for s in specs)}"
        method = REGISTER_CALL[self.kind]
        fail(self.label, "registers", problem,
             f"call register.{method} with '{self.name}' in "
             f"robustkit_register_{self.kind.plural}, decorated with @robustkit.hookimpl; "
             "declare the plugin module as an entry point in the robustkit group and "
             "reinstall the package (pip install -e .)")
        raise AssertionError("unreachable")

    def params(self) -> Any:
        return params_checks.default_params(self.spec, self.params_values)

    def build(self, params: Any = None) -> Any:
        return self.spec.build(params if params is not None else self.params())

    def task(self) -> Task:
        """The task the contracts exercise: classification if served, else regression."""
        if self.data is not None:
            return self.bundle(0).info.task
        for task in (Task.CLASSIFICATION, Task.REGRESSION):
            if task in self.spec.tasks:
                return task
        served = ", ".join(t.value for t in self.spec.tasks)
        fail(self.spec, "data", f"serves only {served}, for which there is no built-in data",
             "pass data=lambda seed: DataBundle(...) to contract_tests()")
        raise AssertionError("unreachable")

    def bundle(self, seed: int = 0, bounds: tuple[float, float] = (0.0, 1.0),
               modality: Modality = Modality.IMAGE) -> Any:
        """The data the contracts run on: the user's ``data`` or a small synthetic set."""
        if self.data is not None:
            return self.data(seed)
        from robustkit.testing.synthetic import synthetic_bundle

        return synthetic_bundle(seed, task=self.task(), modality=modality, bounds=bounds)

    def devices(self) -> list[str]:
        import torch

        devices = [self.device]
        if self.device == "cpu" and torch.cuda.is_available():
            devices.append("cuda")
        return devices

    # -- the checks -------------------------------------------------------------------
    def check_names(self) -> list[str]:
        """The contracts that apply to this kind, in the order they run."""
        names = list(COMMON_CHECKS)
        if self.plugin is not None:
            names.remove("lazy-import")  # only an installed plugin has a module to import
        return names + list(KIND_CHECKS[self.kind])

    def run_check(self, check: str) -> None:
        """Run one contract; raise ContractFailure if it is broken."""
        if check not in self.check_names():
            raise ValueError(f"{check!r} is not a contract of {self.kind.plural}; "
                             f"choose from {self.check_names()}")
        spec = self.spec  # every check starts by finding the component
        if check == "registers":
            self._check_registers(spec)
        elif check == "lazy-import":
            self._check_lazy_import(spec)
        elif check == "params-validate":
            params_checks.check_forbids_unknown(spec)
            params_checks.check_descriptions(spec)
            self.params()
        elif check == "params-bounds":
            params_checks.check_bounds(spec)
        elif check == "params-reject":
            params_checks.check_rejects_bad_values(spec, self.params_values)
        else:
            from robustkit.testing import kinds

            kinds.run(self, check)

    def run(self, checks: list[str] | None = None) -> None:
        """Run every contract (or ``checks``); raise one ContractFailure listing all broken."""
        failures: list[ContractFailure] = []
        for check in checks or self.check_names():
            try:
                self.run_check(check)
            except ContractFailure as exc:
                failures.append(exc)
                if check == "registers":
                    break  # nothing else can run without the component
        if len(failures) == 1:
            raise failures[0]
        if failures:
            raise ContractFailure(
                self.label, ", ".join(f.check for f in failures),
                f"{len(failures)} contracts are broken:\n" + "\n".join(
                    f"  - {f.check}: {f.problem}\n    fix: {f.fix}" for f in failures),
                "see each fix above")

    def _check_registers(self, spec: ComponentSpec) -> None:
        record = self.registry.plugins.get(spec.plugin)
        if record is not None and not record.ok:
            fail(spec, "registers", f"plugin '{record.name}' failed: {record.error}",
                 "fix the error in the plugin's register hook")
        clashes = [p for p in (record.problems if record else []) if f"'{spec.name}'" in p]
        if clashes:
            fail(spec, "registers", "; ".join(clashes), "choose a name no other plugin uses")
        if self.plugin is None and record is not None and record.distribution is None:
            fail(spec, "registers",
                 f"plugin '{record.name}' was not loaded from an installed distribution",
                 "declare [project.entry-points.robustkit] in pyproject.toml and pip install")
        if not spec.summary:
            fail(spec, "registers", "it registers no summary, so `robustkit list` shows nothing",
                 "pass summary='one line on what it does' to "
                 f"register.{REGISTER_CALL[spec.kind]}()")

    def _check_lazy_import(self, spec: ComponentSpec) -> None:
        record = self.registry.plugins.get(spec.plugin)
        module = record.module.partition(":")[0] if record and record.module else None
        if not module:
            return
        returncode, stderr, heavy = _probe_import(module)
        if returncode != 0:
            fail(spec, "lazy-import", f"importing {module} failed:\n{stderr[-2000:]}",
                 "make the plugin module importable on its own")
        if heavy:
            fail(spec, "lazy-import",
                 f"importing the plugin module {module} imports {heavy}, so `robustkit plugins` "
                 "and `robustkit list` pay for it at every start",
                 "register the factory as a lazy 'module:Class' string and keep the plugin and "
                 "params modules free of torch (import it inside the implementation module)")


@functools.cache
def _probe_import(module: str) -> tuple[int, str, str]:
    """Import ``module`` in a fresh interpreter: (return code, stderr, heavy modules it
    imported). Cached: every component of a plugin shares its module, and one subprocess
    per component made a plugin's contract tests pay the interpreter start many times."""
    probe = (f"import importlib, sys; importlib.import_module({module!r}); "
             "print(','.join(m for m in ('torch', 'sklearn', 'scipy') if m in sys.modules))")
    proc = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          timeout=120)
    return proc.returncode, proc.stderr, proc.stdout.strip()


def check_component(kind: str | Kind, name: str, **options: Any) -> None:
    """Run every contract of one component; raise ContractFailure naming each broken one.

    ``options`` are those of :class:`ContractSuite` (``plugin``, ``params``, ``stochastic``,
    ``data``, ``device``).
    """
    ContractSuite(kind, name, **options).run()
