"""One place that words loader errors: the file, the problem, and what to do."""

from __future__ import annotations

from pathlib import Path

from robustkit.errors import DataError


def data_error(path: str | Path, problem: str, fix: str = "") -> DataError:
    message = f"{path}: {problem}"
    if fix:
        message += f". {fix}"
    return DataError(message)


def existing(path: str | Path, what: str) -> Path:
    p = Path(path).expanduser()
    if not p.exists():
        raise data_error(p, f"{what} not found", "Check the path param of the data set")
    return p
