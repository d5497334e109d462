"""Opening a CSV file with a header row, for data set plugins that read real files.

Every failure before the first data row (no file, unreadable, empty, undecodable header) is a
DataError naming the file, so loaders only write the checks of their own format.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from robustkit.errors import DataError


@contextmanager
def open_csv(path: str | Path, what: str) -> Iterator[tuple[list[str], csv.reader]]:
    """``with open_csv(path, "meter CSV") as (header, reader):`` the stripped header and a
    reader positioned at the first data row. ``what`` names the file's kind in errors."""
    path = Path(path)
    if not path.is_file():
        raise DataError(f"{what} {path} not found")
    try:
        handle = path.open(newline="", encoding="utf-8")
    except OSError as exc:
        raise DataError(f"{what} {path}: cannot open: {exc}") from None
    with handle:
        reader = csv.reader(handle)
        try:
            header = [h.strip() for h in next(reader)]
        except StopIteration:
            raise DataError(f"{what} {path} is empty; it needs a header row") from None
        except (csv.Error, UnicodeDecodeError) as exc:
            raise DataError(f"{what} {path}: unreadable header: {exc}") from None
        yield header, reader
