"""Seeded chaotic systems: Mackey-Glass (delay equation), Lorenz and Rossler (ODEs).

Lorenz and Rossler are integrated with SciPy's ``solve_ivp`` (DOP853, rtol 1e-9), sampled on a
regular grid. SciPy has no delay-equation solver, so Mackey-Glass uses a fixed-step RK4 whose
step divides the delay: the delayed value at a stage's half step is the mean of the two stored
neighbours (the history is known only on the grid), which keeps the scheme second order in the
delayed term; the fine step (0.1 by default) is then subsampled.
"""

from __future__ import annotations

import numpy as np
from scipy.integrate import solve_ivp

from robustkit.errors import ParamsError


def mackey_glass(length: int, seed: int, *, tau: float = 17.0, beta: float = 0.2,
                 gamma: float = 0.1, n: float = 10.0, dt: float = 0.1,
                 sample_every: float = 1.0, transient: float = 500.0) -> np.ndarray:
    """``length`` samples of dx/dt = beta x(t-tau) / (1 + x(t-tau)^n) - gamma x(t).

    The initial history is constant, 1.2 plus a seeded uniform offset in +-0.1, so each
    seed gives another trajectory on the attractor. Returns shape (length,).
    """
    lag = tau / dt
    stride = sample_every / dt
    if abs(lag - round(lag)) > 1e-9 or abs(stride - round(stride)) > 1e-9:
        raise ParamsError(f"mackey-glass: dt={dt} must divide tau={tau} and "
                          f"sample_every={sample_every}; choose e.g. dt=0.1")
    lag, stride = int(round(lag)), int(round(stride))
    rng = np.random.default_rng(seed)
    skip = int(round(transient / dt))
    steps = skip + length * stride
    x = np.empty(lag + steps + 1)
    # a constant history (seeded level): the same initial function whatever dt is
    x[: lag + 1] = 1.2 + rng.uniform(-0.1, 0.1)

    def f(xt: float, xd: float) -> float:
        return beta * xd / (1.0 + xd**n) - gamma * xt

    for i in range(lag, lag + steps):
        d0, d1 = x[i - lag], x[i - lag + 1]
        dm = 0.5 * (d0 + d1)
        xi = x[i]
        k1 = f(xi, d0)
        k2 = f(xi + 0.5 * dt * k1, dm)
        k3 = f(xi + 0.5 * dt * k2, dm)
        k4 = f(xi + dt * k3, d1)
        x[i + 1] = xi + dt / 6.0 * (k1 + 2 * k2 + 2 * k3 + k4)
    start = lag + skip
    return x[start + stride : start + stride * (length + 1) : stride].copy()


def _ode(rhs, y0: np.ndarray, length: int, sample_every: float, transient: float) -> np.ndarray:
    t_end = transient + sample_every * length
    t_eval = transient + sample_every * np.arange(1, length + 1)
    sol = solve_ivp(rhs, (0.0, t_end), y0, method="DOP853", t_eval=t_eval, rtol=1e-9,
                    atol=1e-9)
    if not sol.success:  # pragma: no cover - DOP853 does not fail on these systems
        raise RuntimeError(f"integration failed: {sol.message}")
    return sol.y.T.copy()


def lorenz(length: int, seed: int, *, sigma: float = 10.0, rho: float = 28.0,
           beta: float = 8.0 / 3.0, sample_every: float = 0.02,
           transient: float = 20.0) -> np.ndarray:
    """``length`` x 3 samples (x, y, z) of the Lorenz system from a seeded start."""
    rng = np.random.default_rng(seed)
    y0 = np.array([1.0, 1.0, 20.0]) + rng.normal(0, 1.0, 3)

    def rhs(_t, s):
        x, y, z = s
        return [sigma * (y - x), x * (rho - z) - y, x * y - beta * z]

    return _ode(rhs, y0, length, sample_every, transient)


def rossler(length: int, seed: int, *, a: float = 0.2, b: float = 0.2, c: float = 5.7,
            sample_every: float = 0.1, transient: float = 100.0) -> np.ndarray:
    """``length`` x 3 samples (x, y, z) of the Rossler system from a seeded start."""
    rng = np.random.default_rng(seed)
    y0 = np.array([1.0, 1.0, 0.0]) + rng.normal(0, 0.5, 3)

    def rhs(_t, s):
        x, y, z = s
        return [-y - z, x + a * y, b + z * (x - c)]

    return _ode(rhs, y0, length, sample_every, transient)


def observation_noise(clean: np.ndarray, snr_db: float, rng: np.random.Generator) -> np.ndarray:
    """Gaussian noise whose power is the signal's variance / 10^(snr_db / 10), per column."""
    power = np.var(clean, axis=0, keepdims=True)
    std = np.sqrt(power / 10.0 ** (snr_db / 10.0))
    return rng.normal(0.0, 1.0, clean.shape) * std


def linear_drift(length: int, amount: float, std: np.ndarray) -> np.ndarray:
    """A ramp from 0 to ``amount`` standard deviations over the series (non-stationarity)."""
    ramp = np.linspace(0.0, 1.0, length)[:, None]
    return ramp * amount * np.atleast_2d(std)
