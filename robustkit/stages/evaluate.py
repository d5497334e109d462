"""The evaluate stage: the model's outputs on clean test inputs and under each perturbation
setting, scored by every metric and stored as soon as measured; observers (the integrity
checks) are told after each evaluation."""

from __future__ import annotations

import time
from typing import Any

from robustkit import guard
from robustkit.adapters import model_access
from robustkit.components import Task
from robustkit.data import DataBundle, Evaluation, PerturbContext, ScoreOracle
from robustkit.errors import PluginError
from robustkit.stages.context import EvaluationDone, RunContext
from robustkit.stages.data import check_perturbed
from robustkit.store import MetricRow

EXAMPLE_IMAGES = 6  # image-to-image runs keep this many (input, output, target) examples


def evaluate(ctx: RunContext, model: Any, data: DataBundle) -> None:
    from robustkit.trainer import predict

    opts = ctx.options
    bs = opts.eval_batch_size
    t = time.perf_counter()
    n = opts.eval_samples or data.x_test.shape[0]
    x_clean = data.x_test[:n].to(opts.device)
    y = data.y_test[:n].to(opts.device)
    clean_out = predict(model, x_clean, bs)
    for observer in ctx.observers:
        observer.started(ctx, model, x_clean, y, data)
    metrics = [(m, m.build()) for m in ctx.plan.metrics]
    score(ctx, metrics, "clean", "clean", {}, None,
          Evaluation(y, clean_out, x_clean, x_clean, clean_out, data.info))
    keep_examples(ctx, "clean", x_clean, clean_out, y, data)
    ctx.stage("evaluate:clean", t, metrics=last_values(ctx, "clean"))
    _notify(ctx, EvaluationDone(None, clean_out, x_clean))
    for s in ctx.plan.settings:
        t = time.perf_counter()
        k = n if s.samples is None else min(s.samples, n)  # its own (smaller) sample count
        xs, ys, cs = x_clean[:k], y[:k], clean_out[:k]
        x_pert, outputs, extras = _perturb(ctx, s, model, xs, ys, data)
        score(ctx, metrics, s.label, s.name, s.params_dict(), s.strength,
              Evaluation(ys, outputs, x_pert, xs, cs, data.info, extras))
        keep_examples(ctx, s.label, x_pert, outputs, ys, data)
        ctx.stage(f"evaluate:{s.label}", t, metrics=last_values(ctx, s.label))
        _notify(ctx, EvaluationDone(s, outputs, x_pert))
    for observer in ctx.observers:
        observer.finished(ctx)


def _notify(ctx: RunContext, done: EvaluationDone) -> None:
    for observer in ctx.observers:
        observer.evaluated(ctx, done)


def _perturb(ctx: RunContext, s: Any, model: Any, x_clean: Any, y: Any, data: DataBundle
             ) -> tuple[Any, Any, dict[str, Any]]:
    """One setting's perturbed inputs, in evaluation batches on the setting's own stream."""
    import torch

    from robustkit.trainer import predict

    bs = ctx.options.eval_batch_size
    pert = s.build()
    access = model_access(s.spec.needs, model, data.info, bs)
    watch = guard.ModelWatch(model) if access is model else None
    chunks, stats_parts = [], []
    seed = ctx.seeds.perturbation(s.label)
    gen = ctx.seeds.generator(seed, device="cpu")
    for start in range(0, x_clean.shape[0], bs):
        xb, yb = x_clean[start : start + bs], y[start : start + bs]
        pctx = PerturbContext(info=data.info, seed=seed, generator=gen, model=access,
                              device=ctx.options.device)
        xp = guard.call(s, "perturbing test inputs", pert.perturb, xb, yb, pctx)
        check_perturbed(s, xp, xb, data)
        guard.check_dtype(s, xp, xb, "inputs")
        chunks.append(xp.detach())
        stats_parts.append(pctx.stats)
    if watch is not None:
        watch.check(s)
    x_pert = torch.cat(chunks)
    outputs = predict(model, x_pert, bs)
    extras = merge_stats(stats_parts)
    if isinstance(access, ScoreOracle):
        extras.setdefault("total_queries", access.total_queries)
    return x_pert, outputs, extras


def keep_examples(ctx: RunContext, label: str, x: Any, outputs: Any, y: Any, data: DataBundle
                  ) -> None:
    """Image-to-image runs store a few (input, output, target) images for the report."""
    if data.info.task is not Task.IMAGE_TO_IMAGE or x.dim() != 4:
        return
    k = EXAMPLE_IMAGES
    if outputs.shape[:1] != x.shape[:1] or y.shape[:1] != x.shape[:1]:
        return
    ctx.writer.examples(label, {
        "input": x[:k].detach().cpu().numpy(), "output": outputs[:k].detach().cpu().numpy(),
        "target": y[:k].detach().cpu().numpy()})


def last_values(ctx: RunContext, label: str) -> dict[str, float | None]:
    return {r.metric: r.value for r in ctx.writer.rows if r.label == label}


def score(ctx: RunContext, metrics: list[tuple[Any, Any]], label: str, pert_name: str,
          params: dict[str, Any], strength: float | None, ev: Evaluation) -> None:
    rows, failures = [], []
    for m, metric in metrics:
        try:  # one broken metric must not cost the others of this evaluation
            value = guard.call(m, f"scoring {label}", metric.compute, ev)
            # NaN comes back as None: SQLite has no NaN, and None means "not defined here"
            rows += [MetricRow(label, pert_name, params, strength, name, v)
                     for name, v in guard.metric_values(m, value, label)]
        except PluginError as exc:
            failures.append(exc)
    ctx.writer.metrics(rows)  # stored as soon as measured
    if failures:
        raise failures[0]


def merge_stats(parts: list[dict[str, Any]]) -> dict[str, Any]:
    import torch

    merged: dict[str, Any] = {}
    for key in {k for p in parts for k in p}:
        values = [p[key] for p in parts if key in p]
        if all(isinstance(v, torch.Tensor) and v.dim() > 0 for v in values):
            merged[key] = torch.cat(values)
        elif all(isinstance(v, (int, float)) for v in values):
            merged[key] = sum(values)
        else:
            merged[key] = values
    return merged
