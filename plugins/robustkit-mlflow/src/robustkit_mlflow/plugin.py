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


def _guard(fn, *args: Any) -> None:
    try:
        fn(*args)
    except Exception as exc:  # never let the exporter break a pipeline
        log.warning("robustkit-mlflow: %s failed: %s: %s", fn.__name__, type(exc).__name__, exc)


@hookimpl
def robustkit_pipeline_start(run_id, config):
    from robustkit_mlflow.exporter import EXPORTER

    _guard(EXPORTER.start, run_id, config)


@hookimpl
def robustkit_stage_end(run_id, stage, seconds, details):
    from robustkit_mlflow.exporter import EXPORTER

    _guard(EXPORTER.stage, run_id, stage, seconds, details)


@hookimpl
def robustkit_pipeline_end(run_id, result, report):
    from robustkit_mlflow.exporter import EXPORTER

    _guard(EXPORTER.end, run_id, result, report)


@hookimpl
def robustkit_sweep_start(sweep_id, name, store_path):
    from robustkit_mlflow.exporter import EXPORTER

    _guard(EXPORTER.sweep_start, sweep_id, name, store_path)


@hookimpl
def robustkit_sweep_cell_end(sweep_id, run_id, store_path):
    from robustkit_mlflow.exporter import EXPORTER

    _guard(EXPORTER.cell_end, sweep_id, run_id, store_path)


@hookimpl
def robustkit_sweep_end(sweep_id, store_path, status):
    from robustkit_mlflow.exporter import EXPORTER

    _guard(EXPORTER.sweep_end, sweep_id, store_path, status)
