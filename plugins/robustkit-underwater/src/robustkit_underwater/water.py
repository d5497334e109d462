"""The underwater image-formation model (Jaffe 1990, McGlamery 1980; revised form of Akkaynak &
Treibitz 2018) as a batched torch function.

``I_c = J_c exp(-beta_c d) + B_c (1 - exp(-beta_c d))``: the scene radiance ``J`` loses each
colour channel at its own rate ``beta_c`` over the range ``d``, and veiling light ``B``
scattered into the line of sight takes its place. Red dies first in open ocean, blue in turbid
coastal water, which gives the familiar blue-green and yellow-green casts.
"""

from __future__ import annotations

import math

import torch

from robustkit.errors import DataError
from robustkit_underwater.params import (
    METRES_PER_SEVERITY,
    SURFACE_DEPTH,
    WATER_TRANSMITTANCE,
)

WATER_NAMES = tuple(WATER_TRANSMITTANCE)


def attenuation(water: str) -> torch.Tensor:
    """Per-metre attenuation coefficients (R, G, B) of a Jerlov water type."""
    return torch.tensor([-math.log(r) for r in WATER_TRANSMITTANCE[water]])


LUMA = (0.299, 0.587, 0.114)  # ITU-R BT.601 weights: what a monochrome sensor integrates


def check_rgb(x: torch.Tensor, what: str) -> None:
    if x.dim() != 4 or x.shape[1] not in (1, 3):
        raise DataError(
            f"{what} needs images shaped N x 3 x H x W (colour) or N x 1 x H x W (grey), got "
            f"{tuple(x.shape)}; underwater colour casts are defined per colour channel (use "
            "the 'color-digits' or 'underwater-pairs' data set, or any 3-channel image set)"
        )


def to_rgb(x: torch.Tensor) -> torch.Tensor:
    """Grey images as three equal channels (a grey scene); colour images unchanged."""
    return x.expand(-1, 3, -1, -1) if x.shape[1] == 1 else x


def to_channels(rgb: torch.Tensor, channels: int) -> torch.Tensor:
    """Back to ``channels``: luminance for a grey (monochrome) camera, else unchanged."""
    if channels == 3:
        return rgb
    w = torch.tensor(LUMA, dtype=rgb.dtype, device=rgb.device).view(1, 3, 1, 1)
    return (rgb * w).sum(1, keepdim=True)


def degrade(
    j: torch.Tensor,
    *,
    severity: torch.Tensor | float,
    water: str = "mixed",
    turbidity: float = 1.0,
    depth_gradient: float = 0.5,
    generator: torch.Generator | None = None,
) -> torch.Tensor:
    """Underwater versions of clean images ``j`` (N x 3 x H x W in [0, 1]; grey N x 1 x H x W
    images are taken as a monochrome camera: the luminance of the degraded grey scene).

    Random per image (drawn from ``generator``): the water type when ``water='mixed'``, the
    range (±20 % around ``severity x 1.5 m``), how far the range grows from the top row to the
    bottom row (a sloping seabed; up to ``depth_gradient``), and the brightness of the veiling
    light (0.6-1.0). The veiling light's colour is sunlight filtered by the water column
    above the scene (``SURFACE_DEPTH`` metres), scaled so its strongest channel is that
    brightness.

    :param severity: a number, or one per image (tensor of shape N).
    """
    check_rgb(j, "the underwater degradation")
    channels = j.shape[1]
    j = to_rgb(j)  # a grey image is a grey scene seen by a monochrome camera
    n, _, h, _ = j.shape
    dev = j.device
    sev = torch.as_tensor(severity, dtype=torch.float32).expand(n).clone()
    if water == "mixed":
        kinds = torch.randint(len(WATER_NAMES), (n,), generator=generator)
        beta = torch.stack([attenuation(WATER_NAMES[int(k)]) for k in kinds])
    else:
        beta = attenuation(water).expand(n, 3).clone()
    beta = beta * turbidity
    jitter = 0.8 + 0.4 * torch.rand(n, generator=generator)
    slope = depth_gradient * torch.rand(n, generator=generator)
    light = 0.6 + 0.4 * torch.rand(n, generator=generator)
    rng = sev * METRES_PER_SEVERITY * jitter  # metres to the top row
    rows = torch.linspace(0.0, 1.0, h)
    d = rng[:, None] * (1.0 + slope[:, None] * rows[None, :])  # N x H
    t = torch.exp(-beta[:, :, None] * d[:, None, :])[..., None]  # N x 3 x H x 1
    veil = torch.exp(-beta * SURFACE_DEPTH)  # sunlight filtered on its way down, N x 3
    veil = light[:, None] * veil / veil.amax(dim=1, keepdim=True).clamp_min(1e-8)
    t, veil = t.to(dev, j.dtype), veil.to(dev, j.dtype)
    out = j * t + veil[:, :, None, None] * (1.0 - t)
    return to_channels(out, channels).clamp(0.0, 1.0)
