"""Forecasting as regression over windows, and gap checking.

A series of T steps and F features becomes inputs ``x`` of shape (N, window, F) and targets
``y`` of shape (N, horizon * K): the next ``horizon`` values of the K target columns, flattened
step-major (``[t+1: k0, k1, ..., t+2: k0, ...]``) so every regression metric and the kernel's
MSE loss apply unchanged. The split is chronological: windows of the test part never see a
value of the training part's targets, and the scale is fitted on the training part only.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from robustkit.components import DataInfo, Modality, Task
from robustkit.errors import DataError


def first_gap(series: np.ndarray) -> tuple[int, int] | None:
    """(row, column) of the first non-finite value, or None."""
    bad = ~np.isfinite(np.asarray(series, dtype=float).reshape(len(series), -1))
    if not bad.any():
        return None
    row, col = np.argwhere(bad)[0]
    return int(row), int(col)


def fill_gaps(series: np.ndarray, how: str, name: str = "series",
              columns: list[str] | None = None) -> np.ndarray:
    """Refuse gaps (``how='none'``), or fill them by linear interpolation or holding the last
    value. Leading gaps take the first valid value; a column with no value is refused."""
    data = np.array(series, dtype=float).reshape(len(series), -1)
    gap = first_gap(data)
    if gap is None:
        return data.reshape(np.shape(series)) if np.ndim(series) == 1 else data
    row, col = gap
    colname = columns[col] if columns else str(col)
    if how == "none":
        raise DataError(f"{name}: missing value (NaN/empty) at index {row}, column {colname}; "
                        "fill it, or choose gap_fill='linear' or 'hold'")
    idx = np.arange(len(data))
    for j in range(data.shape[1]):
        ok = np.isfinite(data[:, j])
        if not ok.any():
            name_j = columns[j] if columns else str(j)
            raise DataError(f"{name}: column {name_j} has no finite value to fill gaps from")
        if how == "linear":
            data[:, j] = np.interp(idx, idx[ok], data[ok, j])
        else:  # hold: index of the last valid value at or before each row
            last = np.where(ok, idx, -1)
            np.maximum.accumulate(last, out=last)
            first = int(np.argmax(ok))
            last[last < 0] = first
            data[:, j] = data[last, j]
    return data.reshape(np.shape(series)) if np.ndim(series) == 1 else data


def make_windows(inputs: np.ndarray, targets: np.ndarray, window: int,
                 horizon: int) -> tuple[np.ndarray, np.ndarray]:
    """Sliding windows: x[i] = inputs[i : i+window], y[i] = targets[i+window : +horizon]."""
    inputs = np.asarray(inputs, dtype=np.float32).reshape(len(inputs), -1)
    targets = np.asarray(targets, dtype=np.float32).reshape(len(targets), -1)
    n = len(inputs) - window - horizon + 1
    if n < 1:
        raise DataError(f"a series of {len(inputs)} steps is too short for window={window} "
                        f"and horizon={horizon}; lower them or give a longer series")
    xi = np.lib.stride_tricks.sliding_window_view(inputs, window, axis=0)[:n]
    x = xi.transpose(0, 2, 1).copy()
    yi = np.lib.stride_tricks.sliding_window_view(targets[window:], horizon, axis=0)[:n]
    y = yi.transpose(0, 2, 1).reshape(n, -1).copy()
    return x, y


@dataclass
class Scaler:
    """Per-column affine map fitted on training data: (v - low) / span."""

    low: np.ndarray
    span: np.ndarray

    @classmethod
    def fit(cls, data: np.ndarray, kind: str) -> Scaler:
        data = np.asarray(data, dtype=float).reshape(len(data), -1)
        if kind == "none":
            return cls(np.zeros(data.shape[1]), np.ones(data.shape[1]))
        low, high = data.min(0), data.max(0)
        span = np.where(high - low > 0, high - low, 1.0)
        return cls(low, span)

    def __call__(self, data: np.ndarray) -> np.ndarray:
        return (np.asarray(data, dtype=float).reshape(len(data), -1) - self.low) / self.span

    def inverse(self, data: np.ndarray) -> np.ndarray:
        return np.asarray(data, dtype=float) * self.span + self.low


def forecast_bundle(observed: np.ndarray, target_series: np.ndarray, target_index: list[int],
                    *, window: int, horizon: int, test_fraction: float, scale: str,
                    extra: dict | None = None):
    """A DataBundle of windows from an observed series (T, F) and the series its targets come
    from (T, K): scaled on the training part, split chronologically."""
    import torch

    from robustkit.data import DataBundle

    observed = np.asarray(observed, dtype=float).reshape(len(observed), -1)
    target_series = np.asarray(target_series, dtype=float).reshape(len(target_series), -1)
    split = int(round(len(observed) * (1 - test_fraction)))
    if split < window + horizon or len(observed) - split < window + horizon:
        raise DataError(f"{len(observed)} steps with test_fraction={test_fraction} leave a "
                        f"split shorter than window + horizon = {window + horizon}")
    in_scale = Scaler.fit(observed[:split], scale)
    # targets use their own input column's scale, so a prediction and the value it continues
    # are in the same units (differencing and closed-loop feedback rely on it)
    out_scale = Scaler(in_scale.low[target_index], in_scale.span[target_index])
    obs, tgt = in_scale(observed), out_scale(target_series)
    x_tr, y_tr = make_windows(obs[:split], tgt[:split], window, horizon)
    x_te, y_te = make_windows(obs[split:], tgt[split:], window, horizon)
    lo = float(min(obs.min(), tgt.min()))
    hi = float(max(obs.max(), tgt.max()))
    # room around the data so that perturbations (noise, outliers, drift) are not clipped flat
    margin = 0.5 * (hi - lo)
    info = DataInfo(
        task=Task.REGRESSION,
        modality=Modality.SEQUENCE,
        input_shape=(window, obs.shape[1]),
        bounds=(lo - margin, hi + margin),
        output_dim=horizon * len(target_index),
        extra={"horizon": horizon, "target_index": list(target_index),
               "scale_low": [float(v) for v in out_scale.low],
               "scale_span": [float(v) for v in out_scale.span], **(extra or {})},
    )
    return DataBundle(torch.from_numpy(x_tr), torch.from_numpy(y_tr), torch.from_numpy(x_te),
                      torch.from_numpy(y_te), info)
