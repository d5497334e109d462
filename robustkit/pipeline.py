"""Running one pipeline: resolve the config into a plan, then run the plan's stages
(robustkit.stages: data → train → defend → evaluate, with the integrity checks observing)."""

from __future__ import annotations

from pathlib import Path

from robustkit import lifecycle
from robustkit.config import DEFAULT_STORE, Pipeline
from robustkit.plan import resolve
from robustkit.plugins import PluginHost, get_host
from robustkit.result import PipelineResult
from robustkit.stages.context import Progress
from robustkit.stages.evaluate import EXAMPLE_IMAGES  # noqa: F401 (old name)
from robustkit.stages.runner import kernel_version, run_plan
from robustkit.store import Store

__all__ = ["EXAMPLE_IMAGES", "Progress", "kernel_version", "run_pipeline"]


def run_pipeline(
    config: Pipeline,
    *,
    host: PluginHost | None = None,
    store: Store | str | Path | None = None,
    progress: Progress | None = None,
) -> PipelineResult:
    """Validate ``config`` against the installed plugins, run it and store every number.

    :param host: the plugin host (default: the process-wide one from entry points).
    :param store: a Store or a path (default: ``config.store`` or
        ``./robustkit-results/results.db``).
    :param progress: ``progress(event, info)`` called at stage boundaries (the CLI's bar).
    """
    host = host or get_host()
    plan = resolve(config, host.registry)  # fails before anything is loaded or stored
    lifecycle.check_device(plan.options.device)  # e.g. cuda:0 on a CPU-only torch
    options = plan.options
    own_store = not isinstance(store, Store)
    db = store if isinstance(store, Store) else Store(store or options.store or DEFAULT_STORE)
    previous_threads = None
    if options.threads is not None:
        import torch

        previous_threads = torch.get_num_threads()
        torch.set_num_threads(options.threads)
    try:
        with lifecycle.stop_on_signals():  # SIGTERM: the run is stored as interrupted
            return run_plan(plan, host, db, progress or (lambda e, i: None))
    finally:
        if previous_threads is not None:
            torch.set_num_threads(previous_threads)
        if own_store:
            db.close()
