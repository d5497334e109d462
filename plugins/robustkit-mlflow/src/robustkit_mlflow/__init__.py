"""Exports robustkit pipeline runs to MLflow through the lifecycle hooks only.

``flush()`` waits until every finished run has been written (the export happens on a
background thread so that the pipeline never waits for MLflow).
"""

from robustkit_mlflow.exporter import flush, tracking_uri

__all__ = ["flush", "tracking_uri"]
