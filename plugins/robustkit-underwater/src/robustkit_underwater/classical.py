"""Classical enhancement baselines, which need no training: gray-world white balance, CLAHE
and dark-channel-prior dehazing. Each is a function on one H x W x 3 image in [0, 1]; the
classes below make them image-to-image models and input-transform defenses."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch
from torch import nn

from robustkit import DataInfo
from robustkit_underwater.water import check_rgb, to_channels, to_rgb

ImageFn = Callable[[np.ndarray], np.ndarray]


def gray_world(image: np.ndarray) -> np.ndarray:
    """Buchsbaum (1980): scale each channel so that its mean equals the mean grey level."""
    means = image.reshape(-1, 3).mean(0)
    gains = means.mean() / np.maximum(means, 1e-6)
    return np.clip(image * gains, 0.0, 1.0)


def clahe(image: np.ndarray, clip_limit: float = 0.01, kernel_fraction: float = 0.125
          ) -> np.ndarray:
    """Contrast-limited adaptive histogram equalisation (Zuiderveld 1994) by scikit-image."""
    from skimage.exposure import equalize_adapthist

    side = max(2, int(round(min(image.shape[:2]) * kernel_fraction)))
    return equalize_adapthist(image, kernel_size=side, clip_limit=clip_limit).astype(
        image.dtype)


def dark_channel_prior(image: np.ndarray, window: int = 7, omega: float = 0.9,
                       t_min: float = 0.1) -> np.ndarray:
    """He, Sun & Tang (CVPR 2009) dehazing, without the soft-matting refinement.

    The dark channel (minimum over colours and a window) estimates the haze; the airlight is
    the mean colour of the 0.1 % haziest pixels; the scene follows from
    ``J = (I - A) / max(t, t_min) + A`` with ``t = 1 - omega * dark(I / A)``.
    """
    from scipy.ndimage import minimum_filter

    dark = minimum_filter(image.min(axis=2), size=window, mode="nearest")
    k = max(1, dark.size // 1000)
    brightest = np.argsort(dark.ravel())[-k:]
    airlight = np.maximum(image.reshape(-1, 3)[brightest].mean(0), 1e-3)
    normed = minimum_filter((image / airlight).min(axis=2), size=window, mode="nearest")
    t = np.maximum(1.0 - omega * normed, t_min)[..., None]
    return np.clip((image - airlight) / t + airlight, 0.0, 1.0)


def apply_batch(fn: ImageFn, x: torch.Tensor, bounds: tuple[float, float] = (0.0, 1.0)
                ) -> torch.Tensor:
    """``fn`` on each image of a N x 3 x H x W batch, in and out of the given bounds."""
    check_rgb(x, "this enhancement baseline")
    lo, hi = bounds
    unit = to_rgb((x.detach().cpu().float() - lo) / (hi - lo)).clamp(0, 1).permute(0, 2, 3, 1)
    out = np.stack([fn(im) for im in unit.numpy()]) if len(unit) else unit.numpy()
    back = torch.from_numpy(np.ascontiguousarray(out, dtype=np.float32)).permute(0, 3, 1, 2)
    back = to_channels(back, x.shape[1])  # grey in, grey (luminance) out
    return (back * (hi - lo) + lo).clamp(lo, hi).to(x.device, x.dtype)


def _function(name: str, params) -> ImageFn:
    if name == "gray-world":
        return gray_world
    if name == "clahe":
        return lambda im: clahe(im, params.clip_limit, params.kernel_fraction)
    return lambda im: dark_channel_prior(im, params.window, params.omega, params.t_min)


class ClassicalModule(nn.Module):
    """A training-free image-to-image 'model': it has no parameters, so training skips it."""

    def __init__(self, fn: ImageFn):
        super().__init__()
        self.fn = fn

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return apply_batch(self.fn, x)


class ClassicalModel:
    """Builder registered as an image-to-image model."""

    name = ""

    def __init__(self, params=None):
        self.params = params

    def build(self, info: DataInfo) -> nn.Module:
        return ClassicalModule(_function(self.name, self.params))


class ClassicalTransform:
    """The same method as an input-transform defense in front of any image classifier."""

    name = ""

    def __init__(self, params=None):
        self.params = params
        self.bounds = (0.0, 1.0)

    def fit(self, data, ctx) -> None:
        check_rgb(data.x_train[:1], f"the {self.name} defense")
        self.bounds = data.info.bounds

    def transform(self, x: torch.Tensor) -> torch.Tensor:
        return apply_batch(_function(self.name, self.params), x, self.bounds)


def _kinds(name: str) -> tuple[type, type]:
    model = type(f"{name.title().replace('-', '')}Model", (ClassicalModel,), {"name": name})
    transform = type(f"{name.title().replace('-', '')}Transform", (ClassicalTransform,),
                     {"name": name})
    return model, transform


GrayWorldModel, GrayWorldTransform = _kinds("gray-world")
ClaheModel, ClaheTransform = _kinds("clahe")
DarkChannelModel, DarkChannelTransform = _kinds("dark-channel-prior")
