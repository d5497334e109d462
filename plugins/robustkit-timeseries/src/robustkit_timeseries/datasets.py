"""The synthetic chaotic-series data sets: Mackey-Glass, Lorenz, Rossler.

Each ``load(seed)`` integrates a seeded trajectory, optionally adds a linear drift
(non-stationarity) and Gaussian observation noise at ``snr_db``, and windows it (see
:mod:`robustkit_timeseries.windows`). The noise is drawn from the data seed, so the same
seed always gives the same noisy series.
"""

from __future__ import annotations

import numpy as np

from robustkit.data import derive_seed
from robustkit_timeseries import systems
from robustkit_timeseries.params import LorenzParams, MackeyGlassParams, RosslerParams
from robustkit_timeseries.windows import forecast_bundle

_AXES = {"x": 0, "y": 1, "z": 2}


def noisy_bundle(clean: np.ndarray, p, seed: int, target_col: int, use_all: bool, name: str):
    """Drift and noise on a clean (T, F) trajectory, then windows. Shared by every system."""
    clean = np.asarray(clean, dtype=float).reshape(len(clean), -1)
    if p.drift:
        clean = clean + systems.linear_drift(len(clean), p.drift, clean.std(0))
    rng = np.random.default_rng(derive_seed(seed, name, "noise"))
    noisy = clean if p.snr_db is None else clean + systems.observation_noise(clean, p.snr_db,
                                                                             rng)
    cols = list(range(clean.shape[1])) if use_all else [target_col]
    target_index = [cols.index(target_col)]
    target = clean if p.targets_clean else noisy
    return forecast_bundle(noisy[:, cols], target[:, [target_col]], target_index,
                           window=p.window, horizon=p.horizon, test_fraction=p.test_fraction,
                           scale=p.scale, extra={"system": name, "snr_db": p.snr_db})


class MackeyGlass:
    def __init__(self, params: MackeyGlassParams):
        self.params = params

    def series(self, seed: int) -> np.ndarray:
        p = self.params
        return systems.mackey_glass(p.length, derive_seed(seed, "mackey-glass") % 2**32,
                                    tau=p.tau, beta=p.beta, gamma=p.gamma, n=p.n, dt=p.dt,
                                    sample_every=p.sample_every, transient=p.transient)

    def load(self, seed: int):
        return noisy_bundle(self.series(seed)[:, None], self.params, seed, 0, True,
                            "mackey-glass")


class Lorenz:
    def __init__(self, params: LorenzParams):
        self.params = params

    def series(self, seed: int) -> np.ndarray:
        p = self.params
        return systems.lorenz(p.length, derive_seed(seed, "lorenz") % 2**32, sigma=p.sigma,
                              rho=p.rho, beta=p.beta, sample_every=p.sample_every,
                              transient=p.transient)

    def load(self, seed: int):
        p = self.params
        return noisy_bundle(self.series(seed), p, seed, _AXES[p.target], p.inputs == "all",
                            "lorenz")


class Rossler:
    def __init__(self, params: RosslerParams):
        self.params = params

    def series(self, seed: int) -> np.ndarray:
        p = self.params
        return systems.rossler(p.length, derive_seed(seed, "rossler") % 2**32, a=p.a, b=p.b,
                               c=p.c, sample_every=p.sample_every, transient=p.transient)

    def load(self, seed: int):
        p = self.params
        return noisy_bundle(self.series(seed), p, seed, _AXES[p.target], p.inputs == "all",
                            "rossler")
