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
    artifacts: dict[str, str] = field(default_factory=dict)
    status: str = "FAILED"
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
        if not enabled():
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
        for row in result.rows:  # the stored rows are the reference; stage details agree
            if row.value is not None:
                rec.metrics[metric_key(row.metric, row.label)] = float(row.value)
                rec.labels.setdefault(row.label, {})[row.metric] = row.value
        rec.artifacts["metrics.json"] = json.dumps(
            {"run_id": run_id, "table": result.table(), "timings": result.timings,
             "flags": [getattr(f, "__dict__", str(f)) for f in result.flags]},
            indent=2, default=str)
        rep = report()  # built by the kernel from the run's open store, on this thread
        rec.artifacts.update({"report.md": rep.markdown(), "report.html": rep.html()})
        self._submit(rec)

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
                self.exported.append(_export(connected[2], connected[3], rec))
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


def _export(client: Any, experiment: str, rec: RunRecord) -> str:
    from mlflow.entities import Metric, Param, RunTag

    cfg = rec.config
    name = cfg.get("name") or "{}/{}".format(cfg.get("dataset", {}).get("name"),
                                             cfg.get("model", {}).get("name"))
    run = client.create_run(experiment, start_time=int(rec.started * 1000), run_name=str(name),
                            tags={"robustkit.run_id": rec.run_id})
    mlrun = run.info.run_id
    now = int(time.time() * 1000)
    params = [Param(k, v) for k, v in flatten("", cfg, {}).items()]
    metrics = [Metric(k, v, now, 0) for k, v in rec.metrics.items()]
    metrics += [Metric(metric_key("seconds", s), v, now, 0) for s, v in rec.stages.items()]
    tags = [RunTag("robustkit.status", rec.status)]
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
