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

from robustkit.errors import ConfigError
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
    gpus: list[int] | None = Field(None, description=(
        "GPU indices to spread the workers over (worker i sees only GPU gpus[i % len], as "
        "its 'cuda:0'); default: every visible GPU when this torch has CUDA, none otherwise"))


class InProcess:
    """Runs cells one after another in this process (torch uses all cores within each)."""

    def __init__(self, params: InProcessParams | None = None):
        pass

    def map(self, fn: Callable[[Any], Any], items: Iterable[Any]) -> Iterator[Any]:
        for item in items:
            yield fn(item)

    def close(self) -> None:
        pass


def _init_worker(threads: int, gpus: list[int], counter: Any,
                 parent_pid: int | None = None) -> None:
    # Runs first in a fresh (spawned) worker, before torch touches CUDA: pinning the worker to
    # one GPU here means each worker opens one CUDA context on its own GPU, not all on cuda:0.
    if gpus:
        with counter.get_lock():
            index = counter.value
            counter.value += 1
        os.environ["CUDA_VISIBLE_DEVICES"] = str(gpus[index % len(gpus)])
    import torch

    from robustkit.lifecycle import die_with_parent

    torch.set_num_threads(threads)
    if parent_pid is not None:
        die_with_parent(parent_pid)  # a killed sweep must not leave workers computing


def _visible_gpus() -> list[int]:
    try:
        import torch

        return list(range(torch.cuda.device_count())) if torch.cuda.is_available() else []
    except Exception:  # a broken CUDA install must not stop a CPU sweep
        return []


class ProcessPool:
    """Runs cells in parallel in fresh (spawned) worker processes on this machine."""

    def __init__(self, params: ProcessPoolParams):
        self.workers = params.workers or os.cpu_count() or 1
        self.threads = params.threads_per_worker
        self.gpus = list(params.gpus) if params.gpus is not None else None
        self._pool: ProcessPoolExecutor | None = None

    def map(self, fn: Callable[[Any], Any], items: Iterable[Any]) -> Iterator[Any]:
        if self._pool is None:
            # spawn, not fork: forking a process that already runs torch threads can deadlock
            ctx = mp.get_context("spawn")
            gpus = _visible_gpus() if self.gpus is None else self.gpus
            self._pool = ProcessPoolExecutor(
                self.workers, mp_context=ctx, initializer=_init_worker,
                initargs=(self.threads, gpus, ctx.Value("i", 0), os.getpid()))
        pending = {self._pool.submit(fn, item) for item in items}
        while pending:
            done, pending = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                yield future.result()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None


def executor_override(configured: Any, name: str | None, workers: int | None,
                      address: str | None) -> Any:
    """The executor a sweep runs on when the command line names one.

    The config's executor entry keeps its params unless the command line names a *different*
    executor (``--executor ray`` over ``executor = {name = "ray", params = {address = ...}}``
    keeps the address); ``--workers`` and ``--address`` are set on top. ``None``: no change.
    """
    from robustkit.config import ComponentRef

    if name is None and workers is None and address is None:
        return None
    if address is not None:
        if name not in (None, "ray"):
            raise ConfigError(f"--address joins a Ray cluster, but --executor is {name!r}; "
                              f"use --executor ray (or drop --address)")
        name = "ray"
    if name is None:  # --workers alone: parallel on this machine unless the config says more
        name = configured.name if configured.name != "in-process" else "process-pool"
    params = dict(configured.params) if configured.name == name else {}
    if workers is not None:
        params["workers"] = workers
    if address is not None:
        params["address"] = address
    return ComponentRef(name=name, params=params)


class BuiltinExecutors:
    """The kernel's built-in plugin object."""

    @hookimpl
    def robustkit_register_executors(self, register: Any) -> None:
        register.executor("in-process", InProcess, params=InProcessParams,
                          summary="one cell after another in this process")
        register.executor("process-pool", ProcessPool, params=ProcessPoolParams,
                          summary="cells in parallel in local worker processes")
