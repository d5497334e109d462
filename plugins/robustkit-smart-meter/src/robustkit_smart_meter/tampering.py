"""False-data-injection (FDI) tampering of daily meter profiles.

The traditional types follow Jokar, Arianpoo & Leung (IEEE Trans. Smart Grid 2016), "Electricity
theft detection in AMI using customers' consumption patterns", which most later theft-detection
work (e.g. Zheng et al. 2018, SGCC) reuses; they lower the bill. The covert types keep each
day's total (and, for the permutations, every distribution statistic) of the honest reading and
only move consumption in time, which is what makes them hard to see from totals.

Every function takes one day's readings ``x`` (1-D numpy array) and a numpy Generator.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

Tamper = Callable[[np.ndarray, np.random.Generator], np.ndarray]


def scaling(x, rng):  # h1: x_t · α, α ~ U(0.4, 0.9) (one α for the whole period, see apply)
    return x * rng.uniform(0.4, 0.9)


def intermittent_zeroing(x, rng):  # h2: zero during a random interval of the day
    out = x.copy()
    n = len(x)
    length = rng.integers(max(1, n // 6), max(2, n // 2) + 1)
    start = rng.integers(0, n - length + 1)
    out[start:start + length] = 0.0
    return out


def time_varying_scaling(x, rng):  # h3: x_t · γ_t, γ_t ~ U(0.3, 0.9)
    return x * rng.uniform(0.3, 0.9, size=x.shape)


def peak_cutoff(x, rng):  # readings capped at a share of the day's peak
    return np.minimum(x, rng.uniform(0.4, 0.8) * x.max())


def mean_scaling(x, rng):  # h4: α_t · mean(x), α_t ~ U(0.3, 0.9)
    return rng.uniform(0.3, 0.9, size=x.shape) * x.mean()


def reversed_order(x, rng):  # h6: x_{N-1-t}; total and statistics unchanged
    return x[::-1].copy()


def mean_replacement(x, rng):  # h5: every reading the day's mean; the total is unchanged
    return np.full_like(x, x.mean())


def load_shifting(x, rng):  # consumption moved by k readings (off-peak tariff gaming)
    n = len(x)
    return np.roll(x, int(rng.integers(max(1, n // 12), max(2, n // 4) + 1)))


def shuffled_hours(x, rng):  # a random order of the day's readings; every statistic unchanged
    return rng.permutation(x)


TYPES: dict[str, Tamper] = {
    "scaling": scaling,
    "intermittent-zeroing": intermittent_zeroing,
    "time-varying-scaling": time_varying_scaling,
    "peak-cutoff": peak_cutoff,
    "mean-scaling": mean_scaling,
    "reversed-order": reversed_order,
    "mean-replacement": mean_replacement,
    "load-shifting": load_shifting,
    "shuffled-hours": shuffled_hours,
}


def apply(kind: str, window: np.ndarray, start: int, rng: np.random.Generator,
          day_share: float = 0.85) -> np.ndarray:
    """Tamper a (days x readings) window with one FDI type from day ``start`` on.

    A rigged meter (``scaling``) scales every later day by one factor; the other types are
    switched on for a random ``day_share`` of the later days (at least one), as a thief who
    tampers on some days only.
    """
    out = window.copy()
    if kind == "scaling":
        out[start:] = window[start:] * rng.uniform(0.4, 0.9)
        return out
    fn = TYPES[kind]
    days = np.arange(start, window.shape[0])
    chosen = days[rng.random(len(days)) < day_share]
    if len(chosen) == 0:
        chosen = days[rng.integers(0, len(days)):][:1]
    for d in chosen:
        out[d] = fn(window[d], rng)
    return out
