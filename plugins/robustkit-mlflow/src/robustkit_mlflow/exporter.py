"""Collects each run's facts from the lifecycle hooks and writes them to MLflow.

Configuration (environment):

- ``ROBUSTKIT_MLFLOW_URI``: the tracking URI; default ``sqlite:///<cwd>/mlruns/mlflow.db``
  with artifacts in ``./mlruns/artifacts``. Any MLflow URI works (``http://...`` for a
  server; ``file:...`` only with ``MLFLOW_ALLOW_FILE_STORE=true``, MLflow 3's rule).
- ``ROBUSTKIT_MLFLOW_EXPERIMENT``: the experiment name (default ``robustkit``).
- ``ROBUSTKIT_MLFLOW=off``: export nothing.

The hooks only record facts in memory; the MLflow calls run on one background thread, so a
slow or broken tracking store never delays a pipeline, and any failure becomes a logged
warning. At interpreter exit the thread gets ``ROBUSTKIT_MLFLOW_EXIT_WAIT`` seconds (default
30) to finish; runs that started but never ended (the pipeline raised) are exported as FAILED.

Sweeps are exported from the driver, never from workers: a Ray or process-pool worker may be
killed at shutdown with its export thread. Runs inside a sweep cell (``ROBUSTKIT_SWEEP_ID`` is
set) are skipped by the pipeline hooks; the driver's sweep hooks read each finished run back
from the results store and export it as a child of one parent run per sweep. Every export is
idempotent (a run whose ``robustkit.run_id`` tag is already in the experiment is not exported
again), and a sweep that starts or resumes first exports the finished runs MLflow lacks, so
runs finished before a SIGKILL reach MLflow on the next start.

Metrics: ``<metric>/<label>`` holds each setting's value at step 0, and a perturbation with a
strength also gets a curve ``<metric>/<name>[other params]`` whose step is the strength (an
integer strength as is; otherwise ``round(1000 × strength)``, noted in the tag
``robustkit.step``), so MLflow draws robustness curves.
"""

from __future__ import annotations

import atexit
import json
import logging
import os
import queue
import re
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

log = logging.getLogger("robustkit_mlflow")

ENV_URI = "ROBUSTKIT_MLFLOW_URI"
ENV_EXPERIMENT = "ROBUSTKIT_MLFLOW_EXPERIMENT"
ENV_SWITCH = "ROBUSTKIT_MLFLOW"
ENV_EXIT_WAIT = "ROBUSTKIT_MLFLOW_EXIT_WAIT"
ENV_SWEEP = "ROBUSTKIT_SWEEP_ID"  # set by robustkit.sweep around every cell
_BAD_KEY_CHARS = re.compile(r"[^A-Za-z0-9_\-. /]")


def enabled() -> bool:
    return os.environ.get(ENV_SWITCH, "on").strip().lower() not in ("off", "0", "false", "no")


def tracking_uri() -> str:
    """The tracking URI in force (``ROBUSTKIT_MLFLOW_URI`` or the local SQLite default)."""
    uri = os.environ.get(ENV_URI, "").strip()
    if uri:
        return uri
    return "sqlite:///" + str((Path.cwd() / "mlruns" / "mlflow.db").resolve())


def metric_key(metric: str, label: str) -> str:
    """MLflow allows letters, digits and ``_-. /`` in keys: ``accuracy/pgd_eps_0.1_``."""
    return _BAD_KEY_CHARS.sub("_", f"{metric}/{label}")[:250]


def in_sweep_cell() -> bool:
    """True inside a sweep's cell: the driver exports it, so the pipeline hooks must not."""
    return bool(os.environ.get(ENV_SWEEP))


def curve_label(perturbation: str, params: dict[str, Any], strength: float | None) -> str | None:
    """The curve a setting belongs to: its perturbation and params less the strength param."""
    if strength is None:
        return None
    rest = dict(params)
    for key, value in params.items():
        if isinstance(value, (int, float)) and not isinstance(value, bool) \
                and float(value) == float(strength):
            rest.pop(key)
            break
    inner = ",".join(f"{k}={v}" for k, v in sorted(rest.items()))
    return f"{perturbation}[{inner}]" if inner else perturbation


def strength_steps(strengths: list[float]) -> tuple[dict[float, int], str]:
    """MLflow steps are integers: integer strengths are their own step, others ×1000."""
    if all(float(v).is_integer() for v in strengths):
        return {v: int(v) for v in strengths}, "strength"
    return {v: int(round(v * 1000)) for v in strengths}, "round(1000 * strength)"


def flatten(prefix: str, value: Any, out: dict[str, str]) -> dict[str, str]:
    """``{"model": {"name": "mlp"}}`` → ``{"model.name": "mlp"}``; lists by index."""
    if isinstance(value, dict):
        for k, v in value.items():
            flatten(f"{prefix}.{k}" if prefix else str(k), v, out)
    elif isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
        for i, v in enumerate(value):
            flatten(f"{prefix}.{i}", v, out)
    else:
        out[prefix] = str(value)[:6000]  # MLflow's param value limit
    return out


@dataclass
class RunRecord:
    """What the hooks learned of one pipeline run."""

    run_id: str
    config: dict[str, Any]
    started: float = field(default_factory=time.time)
    stages: dict[str, float] = field(default_factory=dict)
    metrics: dict[str, float] = field(default_factory=dict)
    labels: dict[str, dict[str, Any]] = field(default_factory=dict)
    # (metric, curve, strength, value) of every setting with a strength
    curves: list[tuple[str, str, float, float]] = field(default_factory=list)
    artifacts: dict[str, str] = field(default_factory=dict)
    status: str = "FAILED"
    sweep_id: str | None = None  # a sweep's cell: exported under the sweep's parent run
    # where to export, fixed when the run starts (the environment may change meanwhile)
    where: tuple[str, str] = field(default_factory=lambda: (
        tracking_uri(), os.environ.get(ENV_EXPERIMENT, "robustkit")))


class Exporter:
    """Hook-side state plus the background thread that talks to MLflow."""

    def __init__(self) -> None:
        self.open: dict[str, RunRecord] = {}
        self.jobs: queue.Queue[RunRecord] = queue.Queue()
        self.exported: list[str] = []  # MLflow run ids, in order (for tests and logs)
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        atexit.register(self._at_exit)

    # -- hook side: cheap, in memory ------------------------------------------------------
    def start(self, run_id: str, config: Any) -> None:
        if not enabled() or in_sweep_cell():
            return
        cfg = config.to_dict() if hasattr(config, "to_dict") else dict(config)
        self.open[run_id] = RunRecord(run_id, cfg)

    def stage(self, run_id: str, stage: str, seconds: float, details: dict[str, Any]) -> None:
        rec = self.open.get(run_id)
        if rec is None:
            return
        rec.stages[stage] = float(seconds)
        if stage.startswith("evaluate:"):
            label = stage.split(":", 1)[1]
            for metric, value in (details.get("metrics") or {}).items():
                if value is not None:
                    rec.metrics[metric_key(metric, label)] = float(value)
                    rec.labels.setdefault(label, {})[metric] = value

    def end(self, run_id: str, result: Any, report: Any) -> None:
        rec = self.open.pop(run_id, None)
        if rec is None:
            return
        rec.status = "FINISHED"
        _add_rows(rec, result.rows)  # the stored rows are the reference; stage details agree
        rec.artifacts["metrics.json"] = json.dumps(
            {"run_id": run_id, "table": result.table(), "timings": result.timings,
             "flags": [getattr(f, "__dict__", str(f)) for f in result.flags]},
            indent=2, default=str)
        rep = report()  # built by the kernel from the run's open store, on this thread
        rec.artifacts.update({"report.md": rep.markdown(), "report.html": rep.html()})
        self._submit(rec)

    # -- sweep side: the driver exports every cell's run from the store ----------------
    def sweep_start(self, sweep_id: str, name: str | None, store_path: str) -> None:
        if not enabled():
            return
        self._submit(SweepJob(sweep_id, name, store_path, "start"))

    def cell_end(self, sweep_id: str, run_id: str | None, store_path: str) -> None:
        if not enabled() or run_id is None:
            return
        self._submit(_record_from_store(store_path, run_id, sweep_id))

    def sweep_end(self, sweep_id: str, store_path: str, status: str) -> None:
        """Finish the parent run, then wait (bounded) so the driver leaves nothing behind."""
        if not enabled():
            return
        self._submit(SweepJob(sweep_id, None, store_path, status))
        if not self.flush(float(os.environ.get(ENV_EXIT_WAIT, "30"))):
            log.warning("robustkit-mlflow: sweep %s: MLflow export still running after "
                        "%s s; the runs not yet exported follow on the sweep's next start",
                        sweep_id, os.environ.get(ENV_EXIT_WAIT, "30"))

    # -- export thread --------------------------------------------------------------------
    def _submit(self, rec: RunRecord) -> None:
        self.jobs.put(rec)
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._work, name="robustkit-mlflow",
                                                daemon=True)
                self._thread.start()

    def _work(self) -> None:
        connected: tuple[Any, ...] = ()  # (uri, experiment name, client, experiment id)
        while True:
            try:
                rec = self.jobs.get(timeout=5)
            except queue.Empty:
                return  # idle: the thread ends; the next run starts a new one
            try:
                if connected[:2] != rec.where:
                    connected = (*rec.where, *_connect(*rec.where))
                client, experiment = connected[2], connected[3]
                if isinstance(rec, SweepJob):
                    self.exported.extend(_sweep_job(client, experiment, rec))
                else:
                    mlrun = _export(client, experiment, rec)
                    if mlrun:
                        self.exported.append(mlrun)
            except Exception as exc:
                log.warning("robustkit-mlflow: could not export run %s to %s: %s: %s",
                            rec.run_id, rec.where[0], type(exc).__name__, exc)
                connected = ()  # reconnect next time
            finally:
                self.jobs.task_done()

    def flush(self, timeout: float = 120.0) -> bool:
        """Wait until every submitted run is exported; ``False`` on timeout."""
        deadline = time.monotonic() + timeout
        while self.jobs.unfinished_tasks and time.monotonic() < deadline:
            time.sleep(0.05)
        return not self.jobs.unfinished_tasks

    def _at_exit(self) -> None:
        for rec in list(self.open.values()):  # the pipeline raised: export what is known
            self._submit(rec)
        self.open.clear()
        if self.jobs.unfinished_tasks:
            self.flush(float(os.environ.get(ENV_EXIT_WAIT, "30")))


@dataclass
class SweepJob:
    """Start (and catch up) or finish a sweep's parent run, on the export thread."""

    sweep_id: str
    name: str | None
    store_path: str
    status: str  # "start", or how the sweep ended: done | failed | interrupted
    run_id: str = ""  # for log messages shared with RunRecord
    where: tuple[str, str] = field(default_factory=lambda: (
        tracking_uri(), os.environ.get(ENV_EXPERIMENT, "robustkit")))


def _add_rows(rec: RunRecord, rows: Any) -> None:
    for row in rows:
        if row.value is None:
            continue
        rec.metrics[metric_key(row.metric, row.label)] = float(row.value)
        rec.labels.setdefault(row.label, {})[row.metric] = row.value
        curve = curve_label(row.perturbation, row.params, row.strength)
        if curve is not None:
            rec.curves.append((row.metric, curve, float(row.strength), float(row.value)))


def _record_from_store(store_path: str, run_id: str, sweep_id: str | None) -> RunRecord:
    """A finished run, read back from the results store (what a sweep's driver exports)."""
    from robustkit.store import Store

    with Store(store_path) as db:
        run = db.run(run_id)
        rows = db.metrics(run_id)
        flags = db.flags(run_id)
    rec = RunRecord(run_id, run["config"], started=run["created"], sweep_id=sweep_id)
    rec.status = {"done": "FINISHED", "running": "RUNNING"}.get(run["status"], "FAILED")
    rec.stages = {k: float(v) for k, v in (run.get("timings") or {}).items()}
    _add_rows(rec, rows)
    table: dict[str, dict[str, Any]] = {}
    for row in rows:
        table.setdefault(row.label, {"perturbation": row.label})[row.metric] = row.value
    rec.artifacts["metrics.json"] = json.dumps(
        {"run_id": run_id, "table": list(table.values()), "timings": rec.stages,
         "flags": flags}, indent=2, default=str)
    return rec


def _find_run(client: Any, experiment: str, tag: str, value: str) -> str | None:
    found = client.search_runs([experiment], filter_string=f"tags.`{tag}` = '{value}'",
                               max_results=1)
    return found[0].info.run_id if found else None


def _parent(client: Any, experiment: str, sweep_id: str, name: str | None) -> str:
    """The sweep's parent run: found by its tag (a resumed sweep reuses it) or created."""
    found = _find_run(client, experiment, "robustkit.sweep_id", sweep_id)
    if found:
        return found
    run = client.create_run(experiment, run_name=name or sweep_id,
                            tags={"robustkit.sweep_id": sweep_id, "robustkit.kind": "sweep"})
    return run.info.run_id


_MLFLOW_STATUS = {"done": "FINISHED", "failed": "FAILED", "interrupted": "KILLED"}


def _sweep_job(client: Any, experiment: str, job: SweepJob) -> list[str]:
    """Export every finished run of the sweep that MLflow lacks (on resume after a SIGKILL, or
    cells finished during an interrupt); at the end also log the sweep's curves on the parent
    and close it."""
    from mlflow.entities import Metric, RunTag

    from robustkit.store import Store

    parent = _parent(client, experiment, job.sweep_id, job.name)
    with Store(job.store_path) as db:
        cells = [c for c in db.cells(job.sweep_id) if c["status"] == "done" and c["run_id"]]
    # at the start: runs a killed driver never sent; at the end: cells a worker finished and
    # stored while the driver was being interrupted, whose outcome it never received
    out = []
    for cell in cells:
        mlrun = _export(client, experiment,
                        _record_from_store(job.store_path, cell["run_id"], job.sweep_id))
        if mlrun:
            out.append(mlrun)
    if job.status == "start":
        client.update_run(parent, status="RUNNING")
        return out
    # the parent holds one curve per (cell's model, perturbation curve), strength as step
    points: dict[tuple[str, str], list[tuple[float, float]]] = {}
    for cell in cells:
        rec = _record_from_store(job.store_path, cell["run_id"], job.sweep_id)
        who = _describe(rec.config)
        for metric, curve, strength, value in rec.curves:
            points.setdefault((f"{metric}/{who}", curve), []).append((strength, value))
    now = int(time.time() * 1000)
    metrics, tags = [], [RunTag("robustkit.cells_done", str(len(cells)))]
    for (prefix, curve), pts in points.items():
        steps, rule = strength_steps([s for s, _ in pts])
        key = metric_key(prefix, curve)
        tags.append(RunTag(f"robustkit.step.{key}"[:250], rule))
        metrics += [Metric(key, v, now, steps[s]) for s, v in pts]
    for i in range(0, max(len(metrics), 1), 100):
        client.log_batch(parent, metrics=metrics[i:i + 100], tags=tags if i == 0 else [])
    client.set_terminated(parent, status=_MLFLOW_STATUS.get(job.status, "FAILED"), end_time=now)
    return out


def _describe(cfg: dict[str, Any]) -> str:
    parts = [cfg.get("dataset", {}).get("name"), cfg.get("model", {}).get("name")]
    parts += [d.get("name") for d in cfg.get("defenses", [])]
    return "_".join(str(p) for p in parts if p) + f"_seed{cfg.get('seed')}"


def _connect(uri: str, name: str) -> tuple[Any, str]:
    from mlflow import MlflowClient

    if uri.startswith("sqlite:///"):
        Path(uri.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    client = MlflowClient(tracking_uri=uri)
    exp = client.get_experiment_by_name(name)
    if exp is not None:
        return client, exp.experiment_id
    location = None
    if uri.startswith("sqlite:///"):  # keep artifacts beside the database
        location = (Path(uri.removeprefix("sqlite:///")).parent / "artifacts").as_uri()
    return client, client.create_experiment(name, artifact_location=location)


def _export(client: Any, experiment: str, rec: RunRecord) -> str | None:
    """Export one run; ``None`` if MLflow already has it (exports are idempotent)."""
    from mlflow.entities import Metric, Param, RunTag

    if _find_run(client, experiment, "robustkit.run_id", rec.run_id):
        return None
    cfg = rec.config
    name = cfg.get("name") or "{}/{}".format(cfg.get("dataset", {}).get("name"),
                                             cfg.get("model", {}).get("name"))
    run_tags = {"robustkit.run_id": rec.run_id}
    if rec.sweep_id:
        run_tags["robustkit.sweep"] = rec.sweep_id
        run_tags["mlflow.parentRunId"] = _parent(client, experiment, rec.sweep_id, None)
    run = client.create_run(experiment, start_time=int(rec.started * 1000), run_name=str(name),
                            tags=run_tags)
    mlrun = run.info.run_id
    now = int(time.time() * 1000)
    params = [Param(k, v) for k, v in flatten("", cfg, {}).items()]
    metrics = [Metric(k, v, now, 0) for k, v in rec.metrics.items()]
    metrics += [Metric(metric_key("seconds", s), v, now, 0) for s, v in rec.stages.items()]
    tags = [RunTag("robustkit.status", rec.status)]
    by_curve: dict[tuple[str, str], list[tuple[float, float]]] = {}
    for metric, curve, strength, value in rec.curves:
        by_curve.setdefault((metric, curve), []).append((strength, value))
    for (metric, curve), pts in by_curve.items():
        steps, rule = strength_steps([s for s, _ in pts])
        key = metric_key(metric, curve)
        tags.append(RunTag(f"robustkit.step.{key}"[:250], rule))
        metrics += [Metric(key, v, now, steps[s]) for s, v in pts]
    for i in range(0, max(len(params), len(metrics), 1), 100):  # MLflow's batch limits
        client.log_batch(mlrun, metrics=metrics[i:i + 100], params=params[i:i + 100],
                         tags=tags if i == 0 else [])
    if rec.artifacts:
        with tempfile.TemporaryDirectory() as tmp:
            for fname, text in rec.artifacts.items():
                (Path(tmp) / fname).write_text(text, encoding="utf-8")
            client.log_artifacts(mlrun, tmp)
    client.set_terminated(mlrun, status=rec.status, end_time=now)
    return mlrun


EXPORTER = Exporter()


def flush(timeout: float = 120.0) -> bool:
    """Wait for the background export of every finished run (e.g. before reading MLflow)."""
    return EXPORTER.flush(timeout)
