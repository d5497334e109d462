"""Differentiable full-reference quality measures in torch: PSNR and SSIM.

SSIM follows Wang et al. (2004): an 11-tap Gaussian window of sigma 1.5, constants
``(0.01 L)^2`` and ``(0.03 L)^2``, population (not sample) statistics, mean over the valid
region and the channels. With ``data_range=1`` it equals
``skimage.metrics.structural_similarity(..., gaussian_weights=True, sigma=1.5,
use_sample_covariance=False, data_range=1, channel_axis=0)`` (checked in the tests).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F


def _window(size: int, sigma: float, device, dtype) -> torch.Tensor:
    r = torch.arange(size, device=device, dtype=dtype) - (size - 1) / 2
    g = torch.exp(-(r**2) / (2 * sigma**2))
    return g / g.sum()


def ssim(a: torch.Tensor, b: torch.Tensor, *, data_range: float = 1.0,
         reduce: bool = True) -> torch.Tensor:
    """SSIM of image batches (N x C x H x W): a scalar, or one value per image."""
    size = min(11, a.shape[-1], a.shape[-2])
    size -= 1 - size % 2  # odd, so the window has a centre
    g = _window(size, 1.5, a.device, a.dtype)
    c = a.shape[1]
    gx = g.view(1, 1, 1, size).expand(c, 1, 1, size)
    gy = g.view(1, 1, size, 1).expand(c, 1, size, 1)

    def blur(t: torch.Tensor) -> torch.Tensor:  # separable Gaussian, valid region only
        return F.conv2d(F.conv2d(t, gx, groups=c), gy, groups=c)

    c1, c2 = (0.01 * data_range) ** 2, (0.03 * data_range) ** 2
    mu_a, mu_b = blur(a), blur(b)
    var_a = blur(a * a) - mu_a**2
    var_b = blur(b * b) - mu_b**2
    cov = blur(a * b) - mu_a * mu_b
    s = ((2 * mu_a * mu_b + c1) * (2 * cov + c2)) / ((mu_a**2 + mu_b**2 + c1) * (var_a + var_b
                                                                                + c2))
    per_image = s.flatten(1).mean(1)
    return per_image.mean() if reduce else per_image


def psnr(a: torch.Tensor, b: torch.Tensor, *, data_range: float = 1.0) -> torch.Tensor:
    """Peak signal-to-noise ratio in dB, one value per image (inf where they are equal)."""
    mse = (a - b).pow(2).flatten(1).mean(1)
    return 10 * torch.log10(data_range**2 / mse)
