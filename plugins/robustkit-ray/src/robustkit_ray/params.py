"""Parameter model (torch- and ray-free, imported at registration)."""

from pydantic import Field

from robustkit import Params


class RayParams(Params):
    address: str | None = Field(None, description=(
        "address of a running Ray cluster ('auto', 'ray://host:10001'); none starts a local "
        "one for the sweep and stops it afterwards"))
    num_cpus: int | None = Field(None, ge=1, le=100_000, description=(
        "CPUs of the local cluster (default: all); ignored with an address"))
    cpus_per_cell: float = Field(1.0, gt=0, le=1024, description="CPUs Ray reserves per cell")
    threads_per_worker: int = Field(1, ge=1, le=256, description="torch threads in each cell")
    workers: int | None = Field(None, ge=1, le=100_000, description=(
        "alias of num_cpus for the CLI's --workers"))
