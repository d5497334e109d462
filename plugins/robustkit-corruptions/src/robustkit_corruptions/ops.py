"""The corruptions themselves, on float64 NumPy arrays of shape (N, C, H, W) in [0, 1].

Each takes ``(u, level, rng)`` (``level`` from the severity table, ``rng`` a NumPy Generator)
and returns an array of the same shape; the caller clips and maps back to the data bounds.
"""

from __future__ import annotations

import io

import numpy as np
from scipy import ndimage


def gaussian_noise(u: np.ndarray, sigma: float, rng: np.random.Generator) -> np.ndarray:
    return u + rng.normal(0.0, sigma, size=u.shape)


def shot_noise(u: np.ndarray, photons: float, rng: np.random.Generator) -> np.ndarray:
    # Poisson photon counts: the noise grows with the intensity, unlike Gaussian noise
    return rng.poisson(u * photons) / photons


def impulse_noise(u: np.ndarray, amount: float, rng: np.random.Generator) -> np.ndarray:
    out = u.copy()
    hit = rng.random(u.shape) < amount
    salt = rng.random(u.shape) < 0.5
    out[hit & salt] = 1.0
    out[hit & ~salt] = 0.0
    return out


def gaussian_blur(u: np.ndarray, sigma: float, rng: np.random.Generator) -> np.ndarray:
    # blur only the two spatial axes; 'nearest' keeps border intensities from fading
    return ndimage.gaussian_filter(u, sigma=(0, 0, sigma, sigma), mode="nearest")


def _line_kernel(sigma: float, angle: float) -> np.ndarray:
    """A one-sided line of Gaussian weights from the centre along ``angle`` (camera shake)."""
    radius = int(np.ceil(3 * sigma))
    size = 2 * radius + 1
    kernel = np.zeros((size, size))
    steps = np.arange(radius + 1)
    weights = np.exp(-(steps**2) / (2 * sigma**2))
    rows = np.clip(np.round(radius - steps * np.sin(angle)).astype(int), 0, size - 1)
    cols = np.clip(np.round(radius + steps * np.cos(angle)).astype(int), 0, size - 1)
    np.add.at(kernel, (rows, cols), weights)
    return kernel / kernel.sum()


def motion_blur(u: np.ndarray, sigma: float, rng: np.random.Generator) -> np.ndarray:
    out = np.empty_like(u)
    angles = rng.uniform(-np.pi, np.pi, size=u.shape[0])  # one shake direction per image
    for i, angle in enumerate(angles):
        kernel = _line_kernel(sigma, float(angle))[None]
        out[i] = ndimage.convolve(u[i], kernel, mode="nearest")
    return out


def brightness(u: np.ndarray, shift: float, rng: np.random.Generator) -> np.ndarray:
    return u + shift


def contrast(u: np.ndarray, factor: float, rng: np.random.Generator) -> np.ndarray:
    mean = u.mean(axis=(2, 3), keepdims=True)
    return (u - mean) * factor + mean


def _ramps(n: int, h: int, w: int, rng: np.random.Generator) -> np.ndarray:
    """(N, 1, H, W) linear ramps from 0 to 1 across each image, in a random direction."""
    angles = rng.uniform(-np.pi, np.pi, size=n)
    yy, xx = np.meshgrid(np.linspace(-1, 1, h), np.linspace(-1, 1, w), indexing="ij")
    proj = np.cos(angles)[:, None, None] * xx + np.sin(angles)[:, None, None] * yy
    lo = proj.min(axis=(1, 2), keepdims=True)
    hi = proj.max(axis=(1, 2), keepdims=True)
    return ((proj - lo) / np.maximum(hi - lo, 1e-12))[:, None]


def illumination_gradient(u: np.ndarray, level: tuple[float, float],
                          rng: np.random.Generator) -> np.ndarray:
    """Side lighting: one side of the image darkened by a gain, the other washed by glare."""
    shade, glare = level
    r = _ramps(u.shape[0], u.shape[2], u.shape[3], rng)
    return u * (1 - shade * (1 - r)) + glare * r


def jpeg(u: np.ndarray, quality: int, rng: np.random.Generator) -> np.ndarray:
    out = np.empty_like(u)
    for i in range(u.shape[0]):
        # 3 channels go through JPEG as one RGB image (chroma subsampling included); any
        # other channel count is compressed channel by channel as greyscale
        if u.shape[1] == 3:
            out[i] = _jpeg_round_trip(u[i].transpose(1, 2, 0), quality, "RGB").transpose(2, 0, 1)
        else:
            for c in range(u.shape[1]):
                out[i, c] = _jpeg_round_trip(u[i, c], quality, "L")
    return out


def _jpeg_round_trip(img: np.ndarray, quality: int, mode: str) -> np.ndarray:
    from PIL import Image

    pixels = np.clip(np.round(img * 255), 0, 255).astype(np.uint8)
    buf = io.BytesIO()
    Image.fromarray(pixels, mode=mode).save(buf, format="JPEG", quality=int(quality))
    buf.seek(0)
    with Image.open(buf) as decoded:
        return np.asarray(decoded.convert(mode), dtype=np.float64) / 255.0


def _smooth_field(n: int, h: int, w: int, decay: float, rng: np.random.Generator) -> np.ndarray:
    """Fractal noise in [0, 1]: octaves of upsampled white noise, each ``1/decay`` weaker
    than the next coarser one (the role of CIFAR-10-C's plasma fractal)."""
    field = np.zeros((n, h, w))
    amp, cells = 1.0, 2
    while cells <= max(h, w) * 2:
        coarse = rng.random((n, cells, cells))
        field += amp * ndimage.zoom(coarse, (1, h / cells, w / cells), order=1, mode="nearest")[
            :, :h, :w]
        amp /= decay
        cells *= 2
    lo = field.min(axis=(1, 2), keepdims=True)
    hi = field.max(axis=(1, 2), keepdims=True)
    return (field - lo) / np.maximum(hi - lo, 1e-12)


def fog(u: np.ndarray, level: tuple[float, float], rng: np.random.Generator) -> np.ndarray:
    amount, decay = level
    peak = u.max(axis=(1, 2, 3), keepdims=True)
    haze = _smooth_field(u.shape[0], u.shape[2], u.shape[3], decay, rng)[:, None]
    # rescaling as CIFAR-10-C does keeps the brightest value where it was
    return (u + amount * haze) * peak / (peak + amount)


OPS = {
    "gaussian-noise-c": gaussian_noise,
    "shot-noise": shot_noise,
    "impulse-noise": impulse_noise,
    "gaussian-blur": gaussian_blur,
    "motion-blur": motion_blur,
    "brightness": brightness,
    "contrast": contrast,
    "illumination-gradient": illumination_gradient,
    "jpeg": jpeg,
    "fog": fog,
}
