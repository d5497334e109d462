"""Seeded synthetic smart-meter windows: households of different scales with morning and
evening peaks, a weekly (weekend) pattern, a seasonal (heating) pattern, holidays, and noise;
half the meters tampered with a false-data-injection type from :mod:`tampering`."""

from __future__ import annotations

import numpy as np
import torch

from robustkit import DataInfo, Modality, Task
from robustkit.data import DataBundle, derive_seed
from robustkit_smart_meter.params import COVERT, TRADITIONAL, SmartMeterParams
from robustkit_smart_meter.tampering import apply

CLASS_NAMES = ("normal", "tampered")


def _bump(hours: np.ndarray, centre: float, width: float) -> np.ndarray:
    d = (hours - centre + 12) % 24 - 12  # circular distance in hours
    return np.exp(-0.5 * (d / width) ** 2)


def honest_window(rng: np.random.Generator, days: int, readings: int) -> np.ndarray:
    """One household's consumption for ``days`` consecutive days (kWh per reading)."""
    hours = np.arange(readings) * 24.0 / readings
    occupants = rng.integers(1, 6)
    scale = occupants**0.7 * rng.lognormal(0.0, 0.4)
    morning, evening = rng.normal(7.5, 1.0), rng.normal(19.0, 1.2)
    a_m, a_e, a_day = rng.uniform(0.5, 1.5), rng.uniform(1.0, 2.5), rng.uniform(0.0, 0.8)
    base = rng.uniform(0.2, 0.5)
    day0, weekday0 = rng.integers(0, 365), rng.integers(0, 7)
    out = np.empty((days, readings))
    for d in range(days):
        weekend = (weekday0 + d) % 7 >= 5
        shift = 1.5 if weekend else 0.0
        profile = (base + a_m * _bump(hours, morning + shift, 1.2)
                   + a_e * _bump(hours, evening, 1.8)
                   + (a_day + (0.6 if weekend else 0.0)) * _bump(hours, 13.0, 3.0))
        doy = day0 + d
        season = 1.0 + 0.3 * np.cos(2 * np.pi * (doy - 15) / 365) + 0.1 * np.cos(
            4 * np.pi * (doy - 15) / 365)
        level = rng.lognormal(0.0, 0.12)
        out[d] = scale * season * level * profile * rng.lognormal(0.0, 0.25, readings)
    if rng.random() < 0.15:  # a holiday: a few days of standby load, honest but low
        length = int(rng.integers(2, 6))
        start = int(rng.integers(0, max(1, days - length)))
        out[start:start + length] *= 0.3
    return out


def generate(p: SmartMeterParams, seed: int) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Windows (n_meters x days x readings, each scaled by its own max into [0, 1]), labels
    (1 = tampered) and the tampering type of each window ('' for normal ones)."""
    rng = np.random.default_rng(derive_seed(seed, "smart-meter"))
    kinds = {"traditional": TRADITIONAL, "covert": COVERT, "all": TRADITIONAL + COVERT}[
        p.tampering]
    x = np.empty((p.n_meters, p.days, p.readings_per_day), dtype=np.float32)
    y = (rng.random(p.n_meters) < p.tampered_fraction).astype(np.int64)
    types = []
    for i in range(p.n_meters):
        w = honest_window(rng, p.days, p.readings_per_day)
        kind = ""
        if y[i]:
            kind = str(rng.choice(kinds))
            # tampering starts somewhere in the first half, so honest days remain for contrast
            w = apply(kind, w, int(rng.integers(p.days // 4, p.days // 2 + 1)), rng)
        x[i] = w / max(float(w.max()), 1e-9)
        types.append(kind)
    return x, y, types


def split(n: int, y: np.ndarray, fraction: float, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Stratified train / test indices."""
    rng = np.random.default_rng(seed)
    test = []
    for c in np.unique(y):
        idx = rng.permutation(np.flatnonzero(y == c))
        test.extend(idx[: max(1, round(fraction * len(idx)))])
    mask = np.zeros(n, dtype=bool)
    mask[test] = True
    return np.flatnonzero(~mask), np.flatnonzero(mask)


def bundle(x: np.ndarray, y: np.ndarray, train: np.ndarray, test: np.ndarray,
           extras: dict | None = None) -> DataBundle:
    info = DataInfo(Task.CLASSIFICATION, Modality.SEQUENCE, tuple(x.shape[1:]), (0.0, 1.0), 2,
                    class_names=CLASS_NAMES)
    t = torch.as_tensor
    return DataBundle(t(x[train]), t(y[train]), t(x[test]), t(y[test]), info,
                      extras=extras or {})


class SmartMeter:
    def __init__(self, params: SmartMeterParams):
        self.params = params

    def load(self, seed: int) -> DataBundle:
        x, y, types = generate(self.params, seed)
        train, test = split(len(y), y, self.params.test_fraction, derive_seed(seed, "sm-split"))
        return bundle(x, y, train, test, {"test_tampering": [types[i] for i in test]})
