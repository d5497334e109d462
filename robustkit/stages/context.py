"""The run context every stage works on: the plan with its resolved options, the seeds, the
store writer, the plugin host, and what the run has produced so far."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from robustkit.errors import DataError, PluginError
from robustkit.options import RunOptions
from robustkit.seeds import Seeds

if TYPE_CHECKING:
    from robustkit.plan import Plan, Resolved
    from robustkit.plugins import PluginHost
    from robustkit.store import MetricRow, Store

Progress = Callable[[str, dict[str, Any]], None]


class RunWriter:
    """Writes one run's numbers, flags and examples to the store as soon as they exist, and
    keeps them for the :class:`~robustkit.PipelineResult`."""

    def __init__(self, store: Store):
        self.store = store
        self.run_id = ""
        self.rows: list[MetricRow] = []
        self.flags: list[Any] = []

    def start(self, plan: Plan, options: RunOptions, kernel_version: str) -> str:
        self.run_id = self.store.start_run(
            config=options.record, seed=options.seed, kernel_version=kernel_version,
            plugins=plan.plugin_versions(), name=options.name,
        )
        return self.run_id

    def metrics(self, rows: list[MetricRow]) -> None:
        self.store.add_metrics(self.run_id, rows)
        self.rows.extend(rows)

    def flag(self, flags: list[Any]) -> None:
        if flags:
            self.flags.extend(flags)
            self.store.add_flags(self.run_id, flags)

    def examples(self, label: str, arrays: dict[str, Any]) -> None:
        self.store.add_examples(self.run_id, label, arrays)

    def finish(self, status: str, timings: dict[str, float], fingerprint: str | None,
               error: str | None = None) -> None:
        kwargs = {} if error is None else {"error": error}
        self.store.finish_run(self.run_id, status=status, timings=timings,
                              fingerprint=fingerprint, **kwargs)


@dataclass
class EvaluationDone:
    """What an observer learns after one evaluation: the setting (``None`` for clean), the
    model's outputs on the evaluated inputs, and those inputs."""

    setting: Any
    outputs: Any
    inputs: Any


class EvaluationObserver(Protocol):
    """Notified by the evaluate stage: ``started`` once the clean inputs are chosen,
    ``evaluated`` after each evaluation (clean first), ``finished`` after the last."""

    def started(self, ctx: RunContext, model: Any, x: Any, y: Any, data: Any) -> None: ...

    def evaluated(self, ctx: RunContext, done: EvaluationDone) -> None: ...

    def finished(self, ctx: RunContext) -> None: ...


@dataclass
class RunContext:
    """One pipeline run: what every stage reads (plan, options, seeds, host) and writes
    (the store writer, timings)."""

    plan: Plan
    host: PluginHost
    writer: RunWriter
    progress: Progress
    options: RunOptions = field(init=False)
    seeds: Seeds = field(init=False)
    timings: dict[str, float] = field(default_factory=dict)
    observers: list[EvaluationObserver] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.options = self.plan.options
        self.seeds = Seeds(self.options.seed)

    @property
    def run_id(self) -> str:
        return self.writer.run_id

    def stage(self, stage: str, started: float, **details: Any) -> None:
        """Record a finished stage's time and tell the progress bar and the hooks."""
        seconds = time.perf_counter() - started
        self.timings[stage] = round(seconds, 4)
        self.progress("stage", {"stage": stage, "seconds": seconds, **details})
        self.host.hook.robustkit_stage_end(
            run_id=self.run_id, stage=stage, seconds=seconds, details=details
        )

    def call(self, r: Resolved, what: str, fn: Callable[[], Any]) -> Any:
        """Run plugin code, turning an unexpected exception into one that names the plugin."""
        try:
            return fn()
        except (DataError, PluginError):
            raise
        except Exception as exc:
            raise PluginError(
                f"{r.spec.label} from plugin '{r.spec.plugin}' failed while {what}: "
                f"{type(exc).__name__}: {exc}"
            ) from exc
