"""Arrays from .npz (arrays ``x`` and ``y``), .npy pairs or CSV files."""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import torch

from robustkit import DataInfo, Modality, Task
from robustkit.data import DataBundle
from robustkit_loaders.errors import data_error, existing
from robustkit_loaders.params import ArrayParams, ImageArrayParams


def _read_npz(path: Path) -> tuple[np.ndarray, np.ndarray]:
    try:
        with np.load(path, allow_pickle=False) as npz:  # never unpickle objects from a file
            missing = [k for k in ("x", "y") if k not in npz.files]
            if missing:
                raise data_error(path, f"lacks array(s) {missing} (has {npz.files})",
                                 "Save it with np.savez(path, x=inputs, y=labels)")
            return np.asarray(npz["x"]), np.asarray(npz["y"])
    except (ValueError, OSError, EOFError) as exc:
        raise data_error(path, f"not a readable .npz file ({exc})") from None


def _read_csv(path: Path, label_column: str | int) -> tuple[np.ndarray, np.ndarray]:
    with open(path, newline="", encoding="utf-8") as fh:
        rows = [r for r in csv.reader(fh) if r]
    if not rows:
        raise data_error(path, "is empty")
    header = None
    try:
        float(rows[0][0])
    except ValueError:
        header, rows = rows[0], rows[1:]
    width = len(rows[0]) if rows else 0
    if width < 2:
        raise data_error(path, "needs at least one feature column and a label column")
    for i, row in enumerate(rows):
        if len(row) != width:
            raise data_error(path, f"row {i + 1 + (header is not None)} has {len(row)} fields "
                             f"where the first row has {width}")
    col = label_column
    if isinstance(col, str):
        if header is None or col not in header:
            raise data_error(path, f"has no column named {col!r}"
                             + (f" (columns: {header})" if header else " (no header row)"))
        col = header.index(col)
    if not -width <= col < width:
        raise data_error(path, f"label_column {label_column} is outside its {width} columns")
    try:
        table = np.asarray(rows, dtype=np.float64)
    except ValueError as exc:
        raise data_error(path, f"holds a non-numeric value ({exc})") from None
    y = table[:, col]
    x = np.delete(table, col % width, axis=1)
    return x, y


def read_arrays(path: str | Path, label_column: str | int) -> tuple[np.ndarray, np.ndarray]:
    path = existing(path, "array file")
    suffix = path.suffix.lower()
    if suffix == ".npz":
        x, y = _read_npz(path)
    elif suffix == ".csv":
        x, y = _read_csv(path, label_column)
    else:
        raise data_error(path, f"unknown suffix {suffix!r}", "Use a .npz or .csv file")
    if x.shape[0] != y.shape[0]:
        raise data_error(path, f"{x.shape[0]} inputs but {y.shape[0]} labels")
    if x.shape[0] == 0:
        raise data_error(path, "holds no samples")
    if not np.issubdtype(x.dtype, np.number) or not np.isfinite(x.astype(np.float64)).all():
        raise data_error(path, "inputs must be finite numbers (found NaN, inf or non-numbers)")
    return x.astype(np.float32), y


class Arrays:
    """Vector inputs with class labels; subclasses fix another task or modality (a data set
    declares both when it registers)."""

    task = Task.CLASSIFICATION
    modality = Modality.VECTOR

    def __init__(self, params: ArrayParams):
        self.params = params

    def _shape(self, path: str, x: np.ndarray) -> np.ndarray:
        shape = getattr(self.params, "input_shape", None)
        if shape is None:
            return x.reshape(x.shape[0], -1)
        if int(np.prod(x.shape[1:])) != int(np.prod(shape)):
            raise data_error(path, f"samples have {int(np.prod(x.shape[1:]))} values each, "
                             f"which cannot be reshaped to input_shape {tuple(shape)}")
        return x.reshape(x.shape[0], *shape)

    def _labels(self, path: str, y: np.ndarray) -> torch.Tensor:
        if self.task is Task.REGRESSION:
            return torch.from_numpy(y.astype(np.float32).reshape(len(y), -1))
        if not np.all(np.equal(np.mod(y, 1), 0)) or (y.size and y.min() < 0):
            raise data_error(path, "class labels must be non-negative integers",
                             "Use arrays-regression for real-valued targets")
        return torch.from_numpy(y.astype(np.int64).reshape(-1))

    def _classes(self, y_tr: torch.Tensor, y_te: torch.Tensor) -> int:
        """The declared class count, checked against the labels; else the largest label + 1,
        with every class present in training (so one mistyped label cannot invent classes)."""
        p = self.params
        top = int(max(y_tr.max(), y_te.max()))
        declared = getattr(p, "num_classes", None)
        if declared is not None:
            if top >= declared:
                where = p.train if int(y_tr.max()) == top else p.test
                raise data_error(where, f"has label {top} but num_classes is {declared} "
                                 f"(labels must lie in [0, {declared - 1}])",
                                 "Fix the label or the num_classes param")
            return declared
        absent = sorted(set(range(top + 1)) - set(y_tr.unique().tolist()))
        if absent:
            shown = ", ".join(map(str, absent[:5])) + (", ..." if len(absent) > 5 else "")
            raise data_error(p.train, f"labels reach {top}, so {top + 1} classes, but "
                             f"{len(absent)} of them have no training sample ({shown})",
                             "A stray label is a typo to fix; to keep classes that have no "
                             "training sample, declare num_classes")
        return top + 1

    def load(self, seed: int) -> DataBundle:
        p = self.params
        x_tr, y_tr = read_arrays(p.train, p.label_column)
        x_te, y_te = read_arrays(p.test, p.label_column)
        x_tr, x_te = self._shape(p.train, x_tr), self._shape(p.test, x_te)
        if x_tr.shape[1:] != x_te.shape[1:]:
            raise data_error(p.test, f"samples have shape {x_te.shape[1:]} but the training "
                             f"file's have {x_tr.shape[1:]}")
        yt_tr, yt_te = self._labels(p.train, y_tr), self._labels(p.test, y_te)
        classes = None
        if self.task is Task.CLASSIFICATION:
            classes = self._classes(yt_tr, yt_te)
        elif yt_tr.shape[1] != yt_te.shape[1]:
            raise data_error(p.test, f"{yt_te.shape[1]} targets per sample but the training "
                             f"file has {yt_tr.shape[1]}")
        bounds = p.bounds or (float(min(x_tr.min(), x_te.min())),
                              float(max(x_tr.max(), x_te.max())))
        info = DataInfo(self.task, self.modality, tuple(int(s) for s in x_tr.shape[1:]), bounds,
                        classes, output_dim=None if classes else int(yt_tr.shape[1]))
        bundle = DataBundle(torch.from_numpy(x_tr), yt_tr, torch.from_numpy(x_te), yt_te, info)
        return bundle.validate(f"arrays ({p.train})")


class ImageArrays(Arrays):
    modality = Modality.IMAGE

    def __init__(self, params: ImageArrayParams):
        self.params = params


class RegressionArrays(Arrays):
    task = Task.REGRESSION
