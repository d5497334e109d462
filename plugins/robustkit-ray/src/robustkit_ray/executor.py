"""Sweep cells as Ray tasks.

Cells are independent: each opens the shared SQLite store itself (WAL, so concurrent writers
are safe) and loads trained models from the content-addressed cache, so nothing but the cell's
config travels to a worker. For a multi-machine cluster the store and cache paths must be on a
shared file system.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

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
        self._started = False

    def _init(self) -> None:
        import ray

        if ray.is_initialized():
            return
        p = self.params
        if p.address:
            ray.init(address=p.address, log_to_driver=False)
        else:
            ray.init(num_cpus=p.num_cpus or p.workers, include_dashboard=False,
                     log_to_driver=False, configure_logging=False)
            self._started = True

    def map(self, fn: Callable[[Any], Any], items: Iterable[Any]) -> Iterator[Any]:
        import ray

        items = list(items)
        if not items:
            return
        self._init()
        task = ray.remote(num_cpus=self.params.cpus_per_cell, max_retries=0)(
            _with_threads(fn, self.params.threads_per_worker))
        pending = [task.remote(item) for item in items]
        while pending:
            done, pending = ray.wait(pending, num_returns=1)
            yield ray.get(done[0])

    def close(self) -> None:
        import ray

        if self._started and ray.is_initialized():
            ray.shutdown()
            self._started = False
