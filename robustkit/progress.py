"""Progress events from deep inside a run (a training epoch ended) to whoever displays them,
without threading a callback through every stage and defense: the command line installs a
listener for the duration of a run; with none installed an event costs one lookup.

A listener is called as ``listener(event, info)``; events:

- ``"epoch"``: ``{"epoch": e, "epochs": E, "loss": mean training loss of the epoch,
  "salt": the fit's name ("train", or a defense's own fit)}``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

Listener = Callable[[str, dict[str, Any]], None]

_listener: ContextVar[Listener | None] = ContextVar("robustkit_progress", default=None)


@contextmanager
def listening(listener: Listener) -> Iterator[None]:
    """Send progress events to ``listener`` inside the ``with`` block."""
    token = _listener.set(listener)
    try:
        yield
    finally:
        _listener.reset(token)


def emit(event: str, **info: Any) -> None:
    """Tell the installed listener, if any; a listener's error never stops the run."""
    listener = _listener.get()
    if listener is None:
        return
    try:
        listener(event, info)
    except Exception:  # noqa: BLE001 - a display must not kill a training
        pass
