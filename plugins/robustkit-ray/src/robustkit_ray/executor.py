"""Sweep cells as Ray tasks.

Cells are independent: each opens the shared SQLite store itself (WAL, so concurrent writers
are safe) and loads trained models from the content-addressed cache, so nothing but the cell's
config travels to a worker. For a multi-machine cluster the store and cache paths must be on a
shared file system.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from robustkit_ray.connect import probe, resolve_address
from robustkit_ray.params import RayParams


def _with_threads(fn: Callable[[Any], Any], threads: int) -> Callable[[Any], Any]:
    def run(item: Any) -> Any:
        import torch

        torch.set_num_threads(threads)
        return fn(item)

    return run


class RayExecutor:
    def __init__(self, params: RayParams):
        self.params = params
        self.address = resolve_address(params.address)
        self._started = False
        self._pending: list[Any] = []

    def _init(self) -> None:
        import ray

        if ray.is_initialized():
            return
        p = self.params
        quiet = dict(log_to_driver=False, logging_level=logging.ERROR, configure_logging=True)
        if self.address:
            probe(self.address, p.connect_timeout)
            ray.init(address=self.address, **quiet)
        else:
            ray.init(num_cpus=p.num_cpus or p.workers, num_gpus=p.num_gpus,
                     include_dashboard=False, **quiet)
            self._started = True

    def map(self, fn: Callable[[Any], Any], items: Iterable[Any]) -> Iterator[Any]:
        import ray

        items = list(items)
        if not items:
            return
        self._init()
        task = ray.remote(num_cpus=self.params.cpus_per_cell,
                          num_gpus=self.params.gpus_per_cell, max_retries=0)(
            _with_threads(fn, self.params.threads_per_worker))
        self._pending = [task.remote(item) for item in items]
        while self._pending:
            # a bounded wait: a signal (Ctrl-C, SIGTERM) reaches Python only between calls,
            # never while ray.wait blocks inside Ray's core
            done, self._pending = ray.wait(self._pending, num_returns=1, timeout=0.5)
            for ref in done:
                yield ray.get(ref)

    def close(self) -> None:
        import ray

        if self._pending and ray.is_initialized():
            # interrupted: cancel what has not finished, so a cluster we only joined does not
            # go on computing cells nobody will collect
            for ref in self._pending:
                ray.cancel(ref, force=True)
            # cancelling is asynchronous and a cancelled ref reads "ready" at once: ask each
            # cell for its outcome (bounded), so that every one has either finished (and stored
            # its run) or died before the sweep ends and its exporters read the store
            deadline = time.monotonic() + 30
            for ref in self._pending:
                try:
                    ray.get(ref, timeout=max(0.1, deadline - time.monotonic()))
                except Exception:  # noqa: BLE001 - cancelled, crashed or timed out: all fine here
                    pass
            self._pending = []
        if ray.is_initialized() and (self._started or self.address):
            ray.shutdown()
        self._started = False
