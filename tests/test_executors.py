"""The kernel's executors: command-line overrides keep the config's executor entry; the process
pool spreads workers over GPUs before torch starts in them."""

import os

import pytest

from robustkit.config import ComponentRef
from robustkit.errors import ConfigError
from robustkit.executors import ProcessPool, ProcessPoolParams, executor_override


def test_no_option_changes_nothing():
    assert executor_override(ComponentRef(name="ray"), None, None, None) is None


def test_naming_the_configured_executor_keeps_its_params():
    configured = ComponentRef(name="ray", params={"address": "10.0.0.5:6379", "cpus_per_cell": 2})
    ref = executor_override(configured, "ray", 4, None)
    assert ref.name == "ray"
    assert ref.params == {"address": "10.0.0.5:6379", "cpus_per_cell": 2, "workers": 4}


def test_another_executor_starts_from_its_defaults():
    configured = ComponentRef(name="ray", params={"address": "10.0.0.5:6379"})
    assert executor_override(configured, "process-pool", None, None) == ComponentRef(
        name="process-pool")


def test_workers_alone_parallelise_an_in_process_config():
    ref = executor_override(ComponentRef(name="in-process"), None, 2, None)
    assert ref == ComponentRef(name="process-pool", params={"workers": 2})


def test_address_implies_ray_and_conflicts_with_another_executor():
    ref = executor_override(ComponentRef(name="in-process"), None, None, "127.0.0.1:6379")
    assert ref == ComponentRef(name="ray", params={"address": "127.0.0.1:6379"})
    with pytest.raises(ConfigError, match="--executor ray"):
        executor_override(ComponentRef(name="in-process"), "process-pool", None, "h:1")


def test_workers_are_given_gpus_in_turn(monkeypatch):
    import multiprocessing as mp

    import torch

    from robustkit.executors import _init_worker

    counter = mp.get_context("spawn").Value("i", 0)
    seen, threads = [], torch.get_num_threads()
    try:
        for _ in range(5):  # what five worker processes would each run first
            monkeypatch.delenv("CUDA_VISIBLE_DEVICES", raising=False)
            _init_worker(threads, [3, 5], counter)
            seen.append(os.environ["CUDA_VISIBLE_DEVICES"])
    finally:
        torch.set_num_threads(threads)
    assert seen == ["3", "5", "3", "5", "3"]


def test_process_pool_workers_see_only_their_gpu():
    pool = ProcessPool(ProcessPoolParams(workers=2, gpus=[3, 5]))
    try:
        seen = list(pool.map(os.getenv, ["CUDA_VISIBLE_DEVICES"] * 6))
    finally:
        pool.close()
    assert len(seen) == 6 and set(seen) <= {"3", "5"}  # set in the worker, before torch


def test_process_pool_on_a_cpu_machine_hides_no_device():
    pool = ProcessPool(ProcessPoolParams(workers=1))
    try:
        seen = list(pool.map(os.getenv, ["CUDA_VISIBLE_DEVICES"]))
    finally:
        pool.close()
    import torch

    if not torch.cuda.is_available():
        assert seen == [os.environ.get("CUDA_VISIBLE_DEVICES")]
