"""Runs a plan's stages in order — data → train → defend → evaluate (with the check stage
observing) — over one :class:`RunContext`, and records the run's start and end."""

from __future__ import annotations

import traceback
from importlib.metadata import PackageNotFoundError, version
from typing import TYPE_CHECKING

from robustkit import lifecycle
from robustkit.result import PipelineResult
from robustkit.stages.check import observers
from robustkit.stages.context import Progress, RunContext, RunWriter
from robustkit.stages.data import load_data, perturb_training_data
from robustkit.stages.defend import defend
from robustkit.stages.evaluate import evaluate
from robustkit.stages.train import train

if TYPE_CHECKING:
    from robustkit.plan import Plan
    from robustkit.plugins import PluginHost
    from robustkit.report import Report
    from robustkit.store import Store


def kernel_version() -> str:
    try:
        return version("robustkit")
    except PackageNotFoundError:  # running from a source tree
        return "0+unknown"


def run_plan(plan: Plan, host: PluginHost, store: Store, progress: Progress) -> PipelineResult:
    """Run every stage of ``plan``, storing as it goes; a failure marks the run failed (with
    its traceback) before it propagates."""
    ctx = RunContext(plan, host, RunWriter(store), progress)
    opts = ctx.options
    lifecycle.reap(store)  # runs whose process was killed are marked interrupted
    ctx.writer.start(plan, opts, kernel_version())
    lifecycle.claim(store, ctx.run_id)  # so a SIGKILLed run is found later
    progress("start", {"run_id": ctx.run_id, "evaluations": len(plan.settings) + 1})
    host.hook.robustkit_pipeline_start(run_id=ctx.run_id, config=plan.config)
    key = None
    cached = False
    try:
        data = perturb_training_data(ctx, load_data(ctx))
        trained = train(ctx, data)
        key, cached = trained.fingerprint, trained.cached
        model = defend(ctx, trained.model, data)
        ctx.observers = observers(ctx, data.info.task)
        evaluate(ctx, model, data)
    except BaseException as exc:
        message, status = f"{type(exc).__name__}: {exc}", "failed"
        if not isinstance(exc, Exception):
            message, status = f"interrupted ({exc or type(exc).__name__})", "interrupted"
        ctx.writer.finish(status, ctx.timings, key,
                          error=message + "\n" + traceback.format_exc(limit=5))
        raise
    ctx.writer.finish("done", ctx.timings, key)
    result = PipelineResult(
        run_id=ctx.run_id, config=opts.record, rows=ctx.writer.rows, timings=ctx.timings,
        store_path=store.path, fingerprint=key, cached_model=cached, flags=ctx.writer.flags,
    )

    def report(metric: str | None = None) -> Report:
        return render_report(store, result, metric)

    host.hook.robustkit_pipeline_end(run_id=ctx.run_id, result=result, report=report)
    return result


def render_report(store: Store, result: PipelineResult, metric: str | None = None) -> Report:
    """The report card of one finished run, built on the calling thread from the open store;
    its headline metric is ``metric``, else accuracy if the run has it, else its first."""
    from robustkit.report import build_report

    if metric is None:
        metrics = result.metrics()
        metric = "accuracy" if "accuracy" in metrics or not metrics else metrics[0]
    return build_report(store, run_ids=[result.run_id], metric=metric)
