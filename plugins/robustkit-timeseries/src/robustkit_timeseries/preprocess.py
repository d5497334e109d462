"""Preprocessing of Ge et al. (2024): forward differencing and wavelet-packet denoising.

- :func:`difference` / :func:`undifference`: first differences along an axis and their exact
  inverse (a cumulative sum from the kept first value).
- :func:`wavelet_packet_denoise`: a full wavelet packet tree (PyWavelets) to ``level``; every
  leaf except the pure approximation is soft-thresholded with the universal threshold
  ``sigma * sqrt(2 ln n)`` (Donoho & Johnstone 1994), sigma estimated per series as
  ``median(|d1|) / 0.6745`` from the level-1 detail node; then reconstructed. Works on a batch
  along any axis, each series with its own sigma.
"""

from __future__ import annotations

import numpy as np
import pywt

from robustkit.errors import ParamsError


def difference(x: np.ndarray, axis: int = -1) -> tuple[np.ndarray, np.ndarray]:
    """``(first, diffs)``: the first value along ``axis`` and the forward differences."""
    x = np.asarray(x)
    first = np.take(x, [0], axis=axis)
    return first, np.diff(x, axis=axis)


def undifference(first: np.ndarray, diffs: np.ndarray, axis: int = -1) -> np.ndarray:
    """The exact inverse of :func:`difference`: ``concat(first, first + cumsum(diffs))``."""
    return np.concatenate([first, first + np.cumsum(diffs, axis=axis)], axis=axis)


def check_wavelet(name: str) -> None:
    if name not in pywt.wavelist(kind="discrete"):
        raise ParamsError(f"unknown discrete wavelet {name!r}; choose one of pywt.wavelist("
                          "kind='discrete'), e.g. db4, sym8, coif3")


def wavelet_packet_denoise(x: np.ndarray, wavelet: str = "db4", level: int = 2,
                           scale: float = 1.0, axis: int = -1) -> np.ndarray:
    """Denoise each series of ``x`` along ``axis``; the result has the shape of ``x``."""
    check_wavelet(wavelet)
    x = np.asarray(x, dtype=float)
    data = np.moveaxis(x, axis, -1)
    n = data.shape[-1]
    max_level = pywt.dwt_max_level(n, pywt.Wavelet(wavelet).dec_len)
    level = max(1, min(level, max_level))
    wp = pywt.WaveletPacket(data, wavelet, mode="symmetric", maxlevel=level, axis=-1)
    d1 = wp["d"].data
    sigma = np.median(np.abs(d1), axis=-1, keepdims=True) / 0.6745
    thr = scale * sigma * np.sqrt(2.0 * np.log(n))
    approx = "a" * level
    for node in wp.get_level(level, order="natural"):
        if node.path != approx:
            node.data = pywt.threshold(node.data, thr, mode="soft")
    out = wp.reconstruct(update=False)[..., :n]
    return np.moveaxis(out, -1, axis)
