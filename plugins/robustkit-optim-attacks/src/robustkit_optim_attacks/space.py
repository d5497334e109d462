"""Attack spaces: where a black-box attack searches and how a point there becomes an image
perturbation. Fewer attack dimensions mean fewer queries per useful gradient estimate.

- :class:`FullSpace`: the perturbation itself.
- :class:`ResizeSpace`: a small square, bilinearly resized to the image (ZOO section 4.3,
  AutoZOOM's "bilinear" option).
- :class:`DecoderSpace`: the latent code of an autoencoder trained on unlabelled inputs; its
  bias-free decoder maps a code to a perturbation, so the zero code is the zero perturbation.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import nn

from robustkit.errors import ParamsError


class FullSpace:
    """The attack space is the input space."""

    def __init__(self, shape: tuple[int, ...]):
        self.shape = tuple(shape)

    @property
    def dim(self) -> int:
        return math.prod(self.shape)

    def to_input(self, z: torch.Tensor) -> torch.Tensor:
        """Map attack-space points (M, dim) to perturbations (M, *input_shape)."""
        return z.reshape(-1, *self.shape)


class ResizeSpace:
    """A ``size x size`` square per channel, bilinearly resized to the image's height and width."""

    def __init__(self, shape: tuple[int, ...], size: int, name: str):
        if len(shape) != 3:
            raise ParamsError(
                f"{name}: attack_size resizes images (C x H x W) but the inputs have shape "
                f"{tuple(shape)}; use the full attack space for these inputs")
        self.image = tuple(shape)
        self.size = size

    @property
    def dim(self) -> int:
        return self.image[0] * self.size * self.size

    def to_input(self, z: torch.Tensor) -> torch.Tensor:
        c, h, w = self.image
        small = z.reshape(-1, c, self.size, self.size)
        if (self.size, self.size) == (h, w):
            return small
        return F.interpolate(small, size=(h, w), mode="bilinear", align_corners=False)

    def grow(self, z: torch.Tensor, size: int) -> tuple[ResizeSpace, torch.Tensor]:
        """The hierarchical step: a larger space and ``z`` resized into it."""
        c = self.image[0]
        small = z.reshape(-1, c, self.size, self.size)
        bigger = F.interpolate(small, size=(size, size), mode="bilinear", align_corners=False)
        return ResizeSpace(self.image, size, ""), bigger.reshape(z.shape[0], -1)


class _AutoEncoder(nn.Module):
    def __init__(self, channels: int, latent: int):
        super().__init__()
        self.encoder = nn.Sequential(
            nn.Conv2d(channels, 16, 3, padding=1), nn.ReLU(),
            nn.Conv2d(16, latent, 3, stride=2, padding=1),
        )
        # no biases and ReLU(0) = 0, so decoder(0) = 0: the search starts at the clean input
        self.decoder = nn.Sequential(
            nn.ConvTranspose2d(latent, 16, 4, stride=2, padding=1, bias=False), nn.ReLU(),
            nn.Conv2d(16, channels, 3, padding=1, bias=False),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.decoder(self.encoder(x))


class DecoderSpace:
    """The latent space of a small convolutional autoencoder (Tu et al. 2019, section 3.2).

    The autoencoder is trained here, on the unlabelled inputs handed to the attack, with mean
    squared reconstruction error; it never sees labels or the attacked model.
    """

    def __init__(self, shape: tuple[int, ...], latent: int, name: str):
        if len(shape) != 3 or shape[1] % 2 or shape[2] % 2:
            raise ParamsError(
                f"{name}: reduction='autoencoder' needs C x H x W images with even H and W, "
                f"got inputs of shape {tuple(shape)}; use reduction='resize' or 'none'")
        c, h, w = shape
        self.image = tuple(shape)
        self.latent_shape = (latent, h // 2, w // 2)
        self.net = _AutoEncoder(c, latent)

    @property
    def dim(self) -> int:
        return math.prod(self.latent_shape)

    def fit(self, x: torch.Tensor, steps: int, seed: int) -> float:
        """Train on ``x`` (unlabelled) with full-batch Adam; return the final reconstruction MSE."""
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            self.net = _AutoEncoder(self.image[0], self.latent_shape[0]).to(x.device)
        opt = torch.optim.Adam(self.net.parameters(), lr=3e-3)
        data = x.detach()
        loss = torch.tensor(float("nan"))
        with torch.enable_grad():
            for _ in range(steps):
                opt.zero_grad()
                loss = F.mse_loss(self.net(data), data)
                loss.backward()
                opt.step()
        self.net.eval()
        for p in self.net.parameters():
            p.requires_grad_(False)
        return float(loss.detach())

    def to_input(self, z: torch.Tensor) -> torch.Tensor:
        with torch.no_grad():
            return self.net.decoder(z.reshape(-1, *self.latent_shape).to(torch.float32))
