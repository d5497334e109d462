"""Reaching a Ray cluster by address, or failing fast with an error a user can act on.

``ray.init(address=...)`` on an address where no cluster listens retries for minutes and prints
raw gRPC warnings. Before calling it we open a plain TCP connection to the cluster's port with a
deadline, so an unreachable or wrong address is one clear error within ``connect_timeout``.
"""

from __future__ import annotations

import os
import socket
import time

from robustkit.errors import RobustkitError

DEFAULT_GCS_PORT = 6379  # `ray start --head` default
DEFAULT_CLIENT_PORT = 10001  # Ray Client server default (ray://)


class RayConnectError(RobustkitError):
    """The Ray cluster named by an address could not be reached."""


def resolve_address(address: str | None) -> str | None:
    """The address in force: the param, else ``RAY_ADDRESS``, else ``None`` (start locally)."""
    address = (address or os.environ.get("RAY_ADDRESS", "")).strip()
    return address or None


def host_port(address: str) -> tuple[str, int] | None:
    """``(host, port)`` for an address we can probe; ``None`` for ``auto``/``local``."""
    if address in ("auto", "local"):
        return None
    client = address.startswith("ray://")
    rest = address.removeprefix("ray://").split("/", 1)[0]
    host, sep, port = rest.rpartition(":")
    if not sep:
        host, port = rest, str(DEFAULT_CLIENT_PORT if client else DEFAULT_GCS_PORT)
    host = host.strip("[]")
    try:
        return host, int(port)
    except ValueError:
        raise RayConnectError(
            f"Ray address {address!r} has no valid port; use HOST:PORT (e.g. "
            f"127.0.0.1:{DEFAULT_GCS_PORT}) or ray://HOST:{DEFAULT_CLIENT_PORT}") from None


def probe(address: str, timeout: float) -> None:
    """Raise :class:`RayConnectError` unless something accepts connections at ``address``."""
    target = host_port(address)
    if target is None:
        return
    deadline = time.monotonic() + timeout
    last: OSError | None = None
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            break
        try:
            with socket.create_connection(target, timeout=min(left, 5.0)):
                return
        except OSError as exc:
            last = exc
            time.sleep(min(0.5, max(0.0, deadline - time.monotonic())))
    raise RayConnectError(
        f"no Ray cluster answered at {address!r} within {timeout:g} s ({last}). Start one with "
        f"`ray start --head` on that machine, check the address (RAY_ADDRESS or the executor's "
        f"`address`), or leave the address out to run a local cluster for this sweep.")
