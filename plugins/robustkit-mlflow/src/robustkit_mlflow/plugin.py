"""The lifecycle hooks: collect a run's facts as it goes, export it when it ends.

Importing this module imports neither MLflow nor torch (``robustkit plugins`` stays fast);
MLflow is imported on the export thread. Every hook swallows its own errors: an exporter
must never break a run.
"""

from __future__ import annotations

import logging
from typing import Any

from robustkit import hookimpl

log = logging.getLogger("robustkit_mlflow")


def _export(method: str, *args: Any) -> None:
    """Call ``EXPORTER.<method>(*args)``, importing the exporter only now and swallowing its
    errors: an exporter must never break a run."""
    try:
        from robustkit_mlflow.exporter import EXPORTER

        getattr(EXPORTER, method)(*args)
    except Exception as exc:
        log.warning("robustkit-mlflow: %s failed: %s: %s", method, type(exc).__name__, exc)


@hookimpl
def robustkit_pipeline_start(run_id, config):
    _export("start", run_id, config)


@hookimpl
def robustkit_stage_end(run_id, stage, seconds, details):
    _export("stage", run_id, stage, seconds, details)


@hookimpl
def robustkit_pipeline_end(run_id, result, report):
    _export("end", run_id, result, report)


@hookimpl
def robustkit_sweep_start(sweep_id, name, store_path):
    _export("sweep_start", sweep_id, name, store_path)


@hookimpl
def robustkit_sweep_cell_end(sweep_id, run_id, store_path):
    _export("cell_end", sweep_id, run_id, store_path)


@hookimpl
def robustkit_sweep_end(sweep_id, store_path, status):
    _export("sweep_end", sweep_id, store_path, status)
