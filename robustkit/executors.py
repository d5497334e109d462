"""The kernel's own executors: in-process and a local process pool.

These are infrastructure rather than robustness methods, so the kernel registers them itself
(through the same hook any plugin uses); Ray lives in the ``robustkit-ray`` plugin.
"""

from __future__ import annotations

import multiprocessing as mp
import os
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from typing import Any

import pluggy
from pydantic import Field

from robustkit.hookspecs import PROJECT
from robustkit.registry import Params

hookimpl = pluggy.HookimplMarker(PROJECT)


class InProcessParams(Params):
    pass


class ProcessPoolParams(Params):
    workers: int | None = Field(None, ge=1, le=1024,
                                description="worker processes (default: the number of CPUs)")
    threads_per_worker: int = Field(1, ge=1, le=256, description=(
        "torch threads in each worker; 1 avoids oversubscribing the cores"))


class InProcess:
    """Runs cells one after another in this process (torch uses all cores within each)."""

    def __init__(self, params: InProcessParams | None = None):
        pass

    def map(self, fn: Callable[[Any], Any], items: Iterable[Any]) -> Iterator[Any]:
        for item in items:
            yield fn(item)

    def close(self) -> None:
        pass


def _init_worker(threads: int) -> None:
    import torch

    torch.set_num_threads(threads)


class ProcessPool:
    """Runs cells in parallel in fresh (spawned) worker processes on this machine."""

    def __init__(self, params: ProcessPoolParams):
        self.workers = params.workers or os.cpu_count() or 1
        self.threads = params.threads_per_worker
        self._pool: ProcessPoolExecutor | None = None

    def map(self, fn: Callable[[Any], Any], items: Iterable[Any]) -> Iterator[Any]:
        if self._pool is None:
            # spawn, not fork: forking a process that already runs torch threads can deadlock
            self._pool = ProcessPoolExecutor(
                self.workers, mp_context=mp.get_context("spawn"), initializer=_init_worker,
                initargs=(self.threads,))
        pending = {self._pool.submit(fn, item) for item in items}
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                yield future.result()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None


class BuiltinExecutors:
    """The kernel's built-in plugin object."""

    @hookimpl
    def robustkit_register_executors(self, register: Any) -> None:
        register.executor("in-process", InProcess, params=InProcessParams,
                          summary="one cell after another in this process")
        register.executor("process-pool", ProcessPool, params=ProcessPoolParams,
                          summary="cells in parallel in local worker processes")
