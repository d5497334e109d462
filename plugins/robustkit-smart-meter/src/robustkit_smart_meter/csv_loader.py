"""A CSV of meter readings, one row per meter-day, as windows of consecutive days.

Format (header required; reading columns may have any names, in order)::

    meter_id,date,r00,r01,...,r23,label
    m001,2024-01-01,0.31,0.28,...,0.52,0

A window is ``days`` consecutive dates of one meter (non-overlapping; a gap in the dates starts
a new run); its label is 1 if any of its days is labelled 1. Each window is scaled by its own
maximum into [0, 1], as the synthetic data set. Meters, not windows, are split between train
and test, so no meter is seen on both sides.

Read with the standard library's ``csv`` module: the files are small and every error must name
the line and the column, which is simplest row by row.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
from pathlib import Path

import numpy as np

from robustkit.csvfile import open_csv
from robustkit.data import DataBundle, derive_seed
from robustkit.errors import DataError
from robustkit_smart_meter.params import MeterCSVParams
from robustkit_smart_meter.synthetic import bundle

REQUIRED = ("meter_id", "date", "label")


def _float(text: str, where: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise DataError(f"{where}: {text!r} is not a number") from None
    if not math.isfinite(value):
        raise DataError(f"{where}: reading is {text!r}; remove or fill missing readings")
    if value < 0:
        raise DataError(f"{where}: negative reading {value}; meter readings are >= 0")
    return value


def read_rows(path: Path) -> tuple[list[str], dict[str, list[tuple[dt.date, list[float], int]]]]:
    """Reading-column names and, per meter, its (date, readings, label) rows."""
    with open_csv(path, "meter CSV") as (header, reader):
        missing = [c for c in REQUIRED if c not in header]
        if missing:
            raise DataError(f"meter CSV {path}: header lacks column(s) {missing}; expected "
                            "meter_id, date, the reading columns and label")
        readings = [h for h in header if h not in REQUIRED]
        if not readings:
            raise DataError(f"meter CSV {path}: no reading columns besides meter_id, date, "
                            "label")
        col = {h: i for i, h in enumerate(header)}
        meters: dict[str, list[tuple[dt.date, list[float], int]]] = {}
        seen: set[tuple[str, dt.date]] = set()
        try:
            for row in reader:
                line = reader.line_num
                if not row or all(not c.strip() for c in row):
                    continue
                if len(row) != len(header):
                    raise DataError(f"meter CSV {path}, line {line}: {len(row)} fields, the "
                                    f"header has {len(header)} (truncated or extra values?)")
                meter = row[col["meter_id"]].strip()
                try:
                    date = dt.date.fromisoformat(row[col["date"]].strip())
                except ValueError:
                    raise DataError(f"meter CSV {path}, line {line}: date "
                                    f"{row[col['date']]!r} is not YYYY-MM-DD") from None
                if (meter, date) in seen:
                    raise DataError(f"meter CSV {path}, line {line}: meter {meter!r} has two "
                                    f"rows for {date}")
                seen.add((meter, date))
                label = row[col["label"]].strip()
                if label not in ("0", "1"):
                    raise DataError(f"meter CSV {path}, line {line}: label {label!r} must be "
                                    "0 (normal) or 1 (tampered)")
                values = [_float(row[col[c]], f"meter CSV {path}, line {line}, column {c!r}")
                          for c in readings]
                meters.setdefault(meter, []).append((date, values, int(label)))
        except csv.Error as exc:
            raise DataError(f"meter CSV {path}, line {reader.line_num}: {exc}") from None
        except UnicodeDecodeError as exc:
            raise DataError(f"meter CSV {path}: not UTF-8 text: {exc}") from None
    if not meters:
        raise DataError(f"meter CSV {path} has a header but no data rows")
    return readings, meters


def windows(meters: dict, days: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Non-overlapping windows of ``days`` consecutive dates: inputs, labels, meter index."""
    xs, ys, owner = [], [], []
    for m, (_, rows) in enumerate(sorted(meters.items())):
        rows.sort(key=lambda r: r[0])
        run: list = []
        for r in rows:
            if run and (r[0] - run[-1][0]).days != 1:
                run = []  # a gap: the next window starts after it
            run.append(r)
            if len(run) == days:
                w = np.array([v for _, v, _ in run], dtype=np.float32)
                xs.append(w / max(float(w.max()), 1e-9))
                ys.append(max(lab for _, _, lab in run))
                owner.append(m)
                run = []
    if not xs:
        raise DataError(f"no meter has {days} consecutive days of readings; lower 'days' or "
                        "fill the gaps")
    return np.stack(xs), np.array(ys, dtype=np.int64), np.array(owner)


class MeterCSV:
    def __init__(self, params: MeterCSVParams):
        self.params = params

    def load(self, seed: int) -> DataBundle:
        path = Path(self.params.path).expanduser()
        _, meters = read_rows(path)
        x, y, owner = windows(meters, self.params.days)
        ids = np.unique(owner)
        if len(ids) < 2:
            raise DataError(f"meter CSV {path}: windows from {len(ids)} meter; a meter-level "
                            "train/test split needs at least 2 meters")
        rng = np.random.default_rng(derive_seed(seed, "meter-csv-split"))
        n_test = min(len(ids) - 1, max(1, round(self.params.test_fraction * len(ids))))
        test_ids = rng.permutation(ids)[:n_test]
        test = np.isin(owner, test_ids)
        return bundle(x, y, np.flatnonzero(~test), np.flatnonzero(test))
