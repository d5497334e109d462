"""A real local Ray cluster runs cells; results come back and nothing is lost."""

import pytest
from robustkit_ray import plugin
from robustkit_ray.executor import RayExecutor
from robustkit_ray.params import RayParams

from robustkit.config import ComponentRef
from robustkit.plugins import PluginHost


def square(x):
    import os

    return x * x, os.getpid()


def test_registers_lazily():
    host = PluginHost(load_entry_points=False, extra=[plugin])
    spec = host.registry.get(__import__("robustkit").Kind.EXECUTOR, "ray")
    assert spec.factory == "robustkit_ray.executor:RayExecutor"
    assert ComponentRef(name="ray").name == spec.name


def test_maps_over_a_local_cluster_in_worker_processes():
    import os

    ex = RayExecutor(RayParams(num_cpus=2))
    try:
        results = list(ex.map(square, range(6)))
    finally:
        ex.close()
    assert sorted(r[0] for r in results) == [0, 1, 4, 9, 16, 25]
    assert all(pid != os.getpid() for _, pid in results)  # really ran in Ray workers


def test_bad_params_are_refused():
    with pytest.raises(Exception, match="cpus_per_cell"):
        RayParams(cpus_per_cell=0)
