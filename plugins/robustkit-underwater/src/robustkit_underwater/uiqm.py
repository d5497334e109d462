"""No-reference underwater image quality: UIQM (Panetta, Gao & Agaian, IEEE J. Oceanic Eng.
41(3), 2016) and Shannon entropy. Functions take one H x W x 3 RGB image in [0, 1].

UIQM = c1 UICM + c2 UISM + c3 UIConM with c1 = 0.0282, c2 = 0.2953, c3 = 3.5753:

- UICM (colourfulness) on the opponent channels RG = R - G and YB = (R + G) / 2 - B in
  0-255 units: ``-0.0268 sqrt(mu_RG^2 + mu_YB^2) + 0.1586 sqrt(s_RG^2 + s_YB^2)`` with
  asymmetric alpha-trimmed means (alpha_L = alpha_R = 0.1: the ceil(0.1 K) smallest and the
  floor(0.1 K) largest of K values dropped) and variances about those means over all pixels.
- UISM (sharpness) = sum over channels of lambda_c EME(Sobel magnitude x channel) with
  lambda = (0.299, 0.587, 0.114), ``EME = 2 / (k1 k2) sum log(max / min)`` over k1 x k2 blocks.
- UIConM (contrast) = logAMEE of the intensity:
  ``-1 / (k1 k2) sum m log m`` with the Michelson ratio ``m = (max - min) / (max + min)`` per
  block; this is the form the widely used reference implementations compute (the paper writes
  it with PLIP operators, which these implementations reduce to ordinary arithmetic).

Blocks whose ratio is undefined (a zero minimum, or an all-zero block) add nothing, as in the
reference implementations. Only whole blocks are used; the remainder rows/columns are cut.
"""

from __future__ import annotations

import math

import numpy as np

C1, C2, C3 = 0.0282, 0.2953, 3.5753
LUMA = np.array([0.299, 0.587, 0.114])


def trimmed_mean(values: np.ndarray, alpha_l: float = 0.1, alpha_r: float = 0.1) -> float:
    """Asymmetric alpha-trimmed mean: drop ceil(alpha_l K) lowest and floor(alpha_r K)
    highest values."""
    v = np.sort(values.ravel())
    k = v.size
    lo, hi = math.ceil(alpha_l * k), math.floor(alpha_r * k)
    return float(v[lo : k - hi].mean())


def uicm(image: np.ndarray) -> float:
    rgb = image.astype(np.float64) * 255.0
    rg = rgb[..., 0] - rgb[..., 1]
    yb = (rgb[..., 0] + rgb[..., 1]) / 2.0 - rgb[..., 2]
    mu_rg, mu_yb = trimmed_mean(rg), trimmed_mean(yb)
    var_rg, var_yb = ((rg - mu_rg) ** 2).mean(), ((yb - mu_yb) ** 2).mean()
    return float(-0.0268 * math.hypot(mu_rg, mu_yb) + 0.1586 * math.sqrt(var_rg + var_yb))


def _blocks(channel: np.ndarray, block: int) -> tuple[np.ndarray, np.ndarray]:
    """Per-block max and min of a 2-D array (whole blocks only)."""
    k1, k2 = channel.shape[0] // block, channel.shape[1] // block
    if k1 == 0 or k2 == 0:
        raise ValueError(f"image of {channel.shape[0]} x {channel.shape[1]} pixels is smaller "
                         f"than one {block} x {block} block; lower the metric's block size")
    b = channel[: k1 * block, : k2 * block].reshape(k1, block, k2, block)
    return b.max(axis=(1, 3)), b.min(axis=(1, 3))


def eme(channel: np.ndarray, block: int) -> float:
    """Agaian's measure of enhancement: 2/(k1 k2) sum of log(max/min) over blocks."""
    hi, lo = _blocks(channel, block)
    ok = (lo > 0) & (hi > 0)
    ratio = np.log(hi[ok] / lo[ok])
    return float(2.0 / hi.size * ratio.sum())


def uism(image: np.ndarray, block: int = 8) -> float:
    from scipy.ndimage import sobel

    rgb = image.astype(np.float64) * 255.0
    total = 0.0
    for c in range(3):
        ch = rgb[..., c]
        edges = np.hypot(sobel(ch, axis=0), sobel(ch, axis=1)) * ch
        total += LUMA[c] * eme(edges, block)
    return float(total)


def uiconm(image: np.ndarray, block: int = 8) -> float:
    intensity = (image.astype(np.float64) * 255.0) @ LUMA
    hi, lo = _blocks(intensity, block)
    top, bot = hi - lo, hi + lo
    ok = (top > 0) & (bot > 0)
    m = top[ok] / bot[ok]
    return float(-1.0 / hi.size * (m * np.log(m)).sum())


def uiqm(image: np.ndarray, block: int = 8) -> float:
    """Panetta's underwater image quality measure of one RGB image in [0, 1]."""
    return C1 * uicm(image) + C2 * uism(image, block) + C3 * uiconm(image, block)


def entropy(image: np.ndarray) -> float:
    """Shannon entropy (bits) of the 8-bit grey-level histogram."""
    from skimage.color import rgb2gray
    from skimage.measure import shannon_entropy
    from skimage.util import img_as_ubyte

    return float(shannon_entropy(img_as_ubyte(np.clip(rgb2gray(image), 0, 1)), base=2))
