"""A real series from CSV: one column per variable, one row per time step.

Read with the standard library's ``csv`` module so that every error can name the line and the
column. Empty cells and ``nan`` are gaps: refused with the first bad index unless ``gap_fill``
is ``linear`` or ``hold``. Any other non-numeric cell is an error.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

import numpy as np

from robustkit.csvfile import open_csv
from robustkit.errors import DataError
from robustkit_timeseries.params import CSVSeriesParams
from robustkit_timeseries.windows import fill_gaps, forecast_bundle

_GAPS = {"", "nan", "na", "null", "none"}


def read_series(path: str | Path, timestamp: str | None = None) -> tuple[list[str], np.ndarray]:
    """Column names and a (T, F) float array with NaN where a cell was empty."""
    path = Path(path)
    with open_csv(path, "series CSV") as (header, reader):
        if timestamp is not None and timestamp not in header:
            raise DataError(f"series CSV {path}: no timestamp column {timestamp!r}; header is "
                            f"{header}")
        keep = [i for i, h in enumerate(header) if h != timestamp]
        if not keep:
            raise DataError(f"series CSV {path}: no variable columns besides the timestamp")
        rows: list[list[float]] = []
        # with one column an empty line is an empty cell: a gap, kept unless trailing
        blank = [math.nan] if len(header) == 1 else None
        pending = 0
        try:
            for row in reader:
                if not row or all(not c.strip() for c in row):
                    pending += blank is not None
                    continue
                rows.extend([list(blank)] * pending if blank else [])
                pending = 0
                line = reader.line_num
                if len(row) != len(header):
                    raise DataError(f"series CSV {path}, line {line}: {len(row)} fields, the "
                                    f"header has {len(header)}")
                values = []
                for i in keep:
                    cell = row[i].strip()
                    if cell.lower() in _GAPS:
                        values.append(math.nan)
                        continue
                    try:
                        values.append(float(cell))
                    except ValueError:
                        raise DataError(f"series CSV {path}, line {line}, column "
                                        f"{header[i]!r}: {cell!r} is not a number") from None
                rows.append(values)
        except (csv.Error, UnicodeDecodeError) as exc:
            raise DataError(f"series CSV {path}: unreadable: {exc}") from None
    if not rows:
        raise DataError(f"series CSV {path} has a header but no rows")
    data = np.array(rows, dtype=float)
    if np.isinf(data).any():
        row, col = np.argwhere(np.isinf(data))[0]
        raise DataError(f"series CSV {path}: infinite value at index {row}, column "
                        f"{header[keep[col]]!r}")
    return [header[i] for i in keep], data


class CSVSeries:
    def __init__(self, params: CSVSeriesParams):
        self.params = params

    def load(self, seed: int):
        p = self.params
        columns, data = read_series(p.path, p.timestamp)
        target = p.target or columns[0]
        if target not in columns:
            raise DataError(f"series CSV {p.path}: no column {target!r} to forecast; "
                            f"columns are {columns}")
        data = fill_gaps(data, p.gap_fill, name=f"series CSV {p.path}", columns=columns)
        t = columns.index(target)
        return forecast_bundle(data, data[:, [t]], [t], window=p.window, horizon=p.horizon,
                               test_fraction=p.test_fraction, scale=p.scale,
                               extra={"columns": columns, "target": target})
