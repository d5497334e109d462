"""Joining a cluster by address: the address in force, and a fast, clear error when none answers."""

import socket
import time

import pytest
from robustkit_ray.connect import RayConnectError, host_port, probe, resolve_address
from robustkit_ray.executor import RayExecutor
from robustkit_ray.params import RayParams


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # nothing listens once the socket is closed


def test_the_param_wins_over_ray_address(monkeypatch):
    monkeypatch.setenv("RAY_ADDRESS", "10.1.2.3:6379")
    assert resolve_address(None) == "10.1.2.3:6379"
    assert resolve_address("127.0.0.1:7000") == "127.0.0.1:7000"
    monkeypatch.delenv("RAY_ADDRESS")
    assert resolve_address(None) is None and resolve_address("  ") is None


def test_addresses_are_parsed_with_ray_default_ports():
    assert host_port("127.0.0.1:7000") == ("127.0.0.1", 7000)
    assert host_port("headnode") == ("headnode", 6379)
    assert host_port("ray://headnode") == ("headnode", 10001)
    assert host_port("ray://[::1]:10002") == ("::1", 10002)
    assert host_port("auto") is None
    with pytest.raises(RayConnectError, match="no valid port"):
        host_port("host:http")


def test_an_unreachable_cluster_is_one_clear_error_within_the_timeout():
    address = f"127.0.0.1:{_closed_port()}"
    started = time.monotonic()
    with pytest.raises(RayConnectError) as err:
        probe(address, timeout=1.5)
    assert time.monotonic() - started < 10
    message = str(err.value)
    assert address in message and "ray start --head" in message and "1.5 s" in message


def test_the_executor_fails_before_calling_ray_init(monkeypatch):
    import ray

    monkeypatch.setattr(ray, "init", lambda *a, **k: pytest.fail("ray.init must not be reached"))
    ex = RayExecutor(RayParams(address=f"127.0.0.1:{_closed_port()}", connect_timeout=1))
    with pytest.raises(RayConnectError):
        list(ex.map(abs, [1, 2]))


def test_gpu_params_are_validated():
    assert RayParams(gpus_per_cell=1, num_gpus=2).gpus_per_cell == 1
    with pytest.raises(Exception, match="gpus_per_cell"):
        RayParams(gpus_per_cell=-1)
