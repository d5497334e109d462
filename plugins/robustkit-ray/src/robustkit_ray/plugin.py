"""Registers the Ray executor. The factory is lazy: listing plugins never imports ray."""

from robustkit import hookimpl
from robustkit_ray.params import RayParams


@hookimpl
def robustkit_register_executors(register):
    register.executor(
        "ray",
        "robustkit_ray.executor:RayExecutor",
        params=RayParams,
        summary="sweep cells as Ray tasks on a local or remote cluster",
    )
