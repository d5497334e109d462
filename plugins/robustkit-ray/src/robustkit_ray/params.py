"""Parameter model (torch- and ray-free, imported at registration)."""

from pydantic import Field

from robustkit import Params


class RayParams(Params):
    address: str | None = Field(None, description=(
        "address of a running Ray cluster ('auto', '127.0.0.1:6379', 'ray://host:10001'); "
        "default: the RAY_ADDRESS environment variable, else a local cluster started for the "
        "sweep and stopped afterwards"))
    num_cpus: int | None = Field(None, ge=1, le=100_000, description=(
        "CPUs of the local cluster (default: all); ignored with an address"))
    num_gpus: int | None = Field(None, ge=0, le=1024, description=(
        "GPUs of the local cluster (default: those Ray detects); ignored with an address"))
    cpus_per_cell: float = Field(1.0, gt=0, le=1024, description="CPUs Ray reserves per cell")
    gpus_per_cell: float = Field(0.0, ge=0, le=64, description=(
        "GPUs Ray reserves per cell; > 0 places each cell on its own GPU(s) (Ray sets "
        "CUDA_VISIBLE_DEVICES, so the cell's device 'cuda' is the GPU it was given)"))
    threads_per_worker: int = Field(1, ge=1, le=256, description="torch threads in each cell")
    workers: int | None = Field(None, ge=1, le=100_000, description=(
        "alias of num_cpus for the CLI's --workers"))
    connect_timeout: float = Field(30.0, gt=0, le=3600, description=(
        "seconds to wait for a cluster at `address` before giving up with an error"))
