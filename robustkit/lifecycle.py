"""A run's life outside its own code: the device it asks for, the signals that stop it, the
process that owns it, and the workers that must not outlive their parent.

- :func:`check_device` refuses a device this torch cannot use before the run is recorded.
- :func:`stop_on_signals` turns SIGTERM and SIGHUP into :class:`Interrupted`, so that a run
  stopped by ``kill`` or a closed terminal is stored as ``interrupted`` (SIGINT already arrives
  as KeyboardInterrupt).
- SIGKILL and out-of-memory kills cannot be caught. :func:`claim` records the host, pid and
  process start time of the process that runs a run; :func:`reap`, called whenever a run
  starts, marks ``interrupted`` every ``running`` run of this host whose process is gone (the
  start time tells a reused pid apart).
- :func:`die_with_parent` makes a pool worker exit when the process that started it dies.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import sys
import threading
import time
from collections.abc import Iterator
from typing import Any

from robustkit.errors import ConfigError

_OWNERS = """CREATE TABLE IF NOT EXISTS run_owners (
    run_id TEXT PRIMARY KEY REFERENCES runs(id),
    host TEXT NOT NULL,
    pid INTEGER NOT NULL,
    started TEXT                    -- the process's start time (Linux), tells reused pids apart
)"""


class Interrupted(BaseException):  # noqa: N818 - like KeyboardInterrupt, not an error
    """The run was stopped by a signal; BaseException so that no ``except Exception`` in plugin
    code swallows it."""

    def __init__(self, signum: int):
        self.signum = signum
        super().__init__(f"stopped by {signal.Signals(signum).name}")


def check_device(device: str) -> None:
    """Refuse a device this torch cannot use, with the fix.

    :raises ConfigError: e.g. "cuda:0 requested but this torch has no CUDA".
    """
    import torch

    try:
        dev = torch.device(device)
    except (RuntimeError, ValueError):
        raise ConfigError(f"device {device!r} is not a torch device; use cpu, cuda, cuda:N or "
                          "mps") from None
    if dev.type == "cpu":
        return
    if dev.type == "cuda":
        if torch.version.cuda is None and torch.version.hip is None:
            raise ConfigError(f"{device} requested but this torch has no CUDA (a CPU-only "
                              "build); set device = \"cpu\" or install a CUDA build of torch")
        count = torch.cuda.device_count() if torch.cuda.is_available() else 0
        if count == 0:
            raise ConfigError(f"{device} requested but no CUDA GPU is visible; set "
                              "device = \"cpu\" or check CUDA_VISIBLE_DEVICES and the driver")
        if dev.index is not None and dev.index >= count:
            raise ConfigError(f"{device} requested but only {count} CUDA GPU(s) are visible "
                              f"(cuda:0 to cuda:{count - 1})")
        return
    if dev.type == "mps":
        if not torch.backends.mps.is_available():
            raise ConfigError(f"{device} requested but MPS is not available here; set "
                              "device = \"cpu\"")
        return
    try:
        torch.empty(0, device=dev)
    except Exception as exc:
        raise ConfigError(f"device {device!r} cannot be used by this torch ({exc}); use cpu, "
                          "cuda or mps") from None


@contextlib.contextmanager
def stop_on_signals() -> Iterator[None]:
    """Within the block, SIGTERM and SIGHUP raise :class:`Interrupted` in the main thread.

    Only handlers still at their defaults are replaced (an application's own stay), and the
    previous handlers come back on exit. Outside the main thread this does nothing."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous: dict[int, Any] = {}

    def handler(signum: int, frame: Any) -> None:
        raise Interrupted(signum)

    for sig in (signal.SIGTERM, getattr(signal, "SIGHUP", None)):
        if sig is not None and signal.getsignal(sig) in (signal.SIG_DFL, None):
            previous[sig] = signal.signal(sig, handler)
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)


def _start_time(pid: int) -> str | None:
    """The process's start time in clock ticks since boot (Linux), None where unknown."""
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as fh:
            stat = fh.read()
    except OSError:
        return None
    # the command name (field 2) may hold spaces; the fields after its ')' are fixed
    return stat.rpartition(")")[2].split()[19]


def _machine() -> str:
    """This host's name, plus its pid namespace where there is one: two containers that share
    a host name (host networking) see different processes under the same pids."""
    try:
        return f"{socket.gethostname()} {os.readlink('/proc/self/ns/pid')}"
    except OSError:
        return socket.gethostname()


def _alive(pid: int, started: str | None) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by another user
        pass
    return started is None or _start_time(pid) in (None, started)


def claim(store: Any, run_id: str) -> None:
    """Record that this process on this host runs ``run_id``."""
    with store._write() as conn:  # noqa: SLF001 - the store's own transaction helper
        conn.execute(_OWNERS)
        conn.execute("INSERT OR REPLACE INTO run_owners VALUES (?, ?, ?, ?)",
                     (run_id, _machine(), os.getpid(), _start_time(os.getpid())))


def reap(store: Any) -> list[str]:
    """Mark ``interrupted`` each ``running`` run of this host (and pid namespace) whose process
    is gone; return their ids. Runs of other hosts are left alone (their processes cannot be
    checked from here)."""
    host = _machine()
    with store._write() as conn:  # noqa: SLF001
        conn.execute(_OWNERS)
        rows = conn.execute(
            "SELECT o.run_id, o.pid, o.started FROM run_owners o JOIN runs r ON r.id = "
            "o.run_id WHERE r.status = 'running' AND o.host = ?", (host,)).fetchall()
        gone = [(run_id, pid) for run_id, pid, started in rows if not _alive(pid, started)]
        for run_id, pid in gone:
            conn.execute(
                "UPDATE runs SET status = 'interrupted', finished = ?, error = ? WHERE id = ?",
                (time.time(), f"interrupted: its process (pid {pid} on {socket.gethostname()})"
                 " ended without recording the end of the run (killed, e.g. by SIGKILL or out "
                 "of memory)", run_id))
    return [run_id for run_id, _ in gone]


def die_with_parent(parent_pid: int) -> None:
    """Make this (worker) process receive SIGTERM when ``parent_pid`` dies.

    Linux: the kernel's PR_SET_PDEATHSIG. Everywhere: a daemon thread that watches the parent
    pid, and exits the process 10 s after its SIGTERM if that did not end it."""
    if sys.platform.startswith("linux"):
        import ctypes

        with contextlib.suppress(OSError, AttributeError):
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, int(signal.SIGTERM), 0, 0, 0)  # 1 = PR_SET_PDEATHSIG

    def watch() -> None:
        while os.getppid() == parent_pid:
            time.sleep(0.5)
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(10)
        os._exit(1)

    threading.Thread(target=watch, name="robustkit-parent-watch", daemon=True).start()
