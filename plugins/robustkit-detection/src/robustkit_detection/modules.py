"""The three switchable modules of the sprout detector: EIE, CPCA and CARAFE."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn


def conv_bn(cin: int, cout: int, k: int = 3, stride: int = 1, groups: int = 1) -> nn.Sequential:
    """Conv, batch norm, SiLU: the YOLO building block."""
    return nn.Sequential(nn.Conv2d(cin, cout, k, stride, k // 2, groups=groups, bias=False),
                         nn.BatchNorm2d(cout), nn.SiLU())


class EdgeEnhancement(nn.Module):
    """EIE: edge information from the image, brought to a feature stride and fused in.

    Two branches see the RGB input: fixed Sobel filters on the luminance (horizontal and
    vertical gradients and their magnitude), which keep sprout outlines even when the network
    is young, and a learned 3x3 convolution free to find colour edges. Their maps are strided
    down to the fused features' resolution and merged by a 1x1 convolution over the
    concatenation, so the network can weigh edge cues per channel.
    """

    def __init__(self, channels: int, stride: int, learned: int = 8, hidden: int | None = None):
        super().__init__()
        sobel_x = torch.tensor([[-1.0, 0.0, 1.0], [-2.0, 0.0, 2.0], [-1.0, 0.0, 1.0]]) / 4
        self.register_buffer("sobel", torch.stack([sobel_x, sobel_x.T])[:, None])
        self.register_buffer("luma", torch.tensor([0.299, 0.587, 0.114]).view(1, 3, 1, 1))
        self.learned = nn.Conv2d(3, learned, 3, 1, 1)
        layers, c = [], 3 + learned
        steps = stride.bit_length() - 1  # stride is a power of two
        for i in range(steps):  # narrow at high resolution, full width at the fused stride
            out = channels if i == steps - 1 else (hidden or channels)
            layers.append(conv_bn(c, out, 3, 2))
            c = out
        self.down = nn.Sequential(*layers)
        self.fuse = conv_bn(2 * channels, channels, 1)

    def edges(self, x: torch.Tensor) -> torch.Tensor:
        gray = (x[:, :3] * self.luma).sum(1, keepdim=True) if x.shape[1] >= 3 else x[:, :1]
        g = F.conv2d(F.pad(gray, (1, 1, 1, 1), mode="replicate"), self.sobel)
        mag = torch.sqrt(g.pow(2).sum(1, keepdim=True) + 1e-8)
        return torch.cat([g, mag], 1)

    def forward(self, image: torch.Tensor, features: torch.Tensor) -> torch.Tensor:
        rgb = image if image.shape[1] == 3 else image[:, :1].expand(-1, 3, -1, -1)
        e = self.down(torch.cat([self.edges(rgb), self.learned(rgb)], 1))
        return self.fuse(torch.cat([features, e], 1))


class CPCA(nn.Module):
    """Channel-prior convolutional attention (Huang et al. 2024).

    Channel attention first (average- and max-pooled descriptors through a shared MLP), then
    spatial attention computed from the channel-refined map by a 5x5 depthwise convolution and
    multi-scale depthwise strip convolutions (1xk then kx1, k = 7, 11, 21), summed, mixed by a
    1x1 convolution and multiplied onto the map; a final 1x1 convolution mixes channels.
    Because the spatial attention is depthwise, each channel keeps its own spatial weighting
    (the "channel prior").
    """

    def __init__(self, channels: int, reduction: int = 4, strips: tuple[int, ...] = (7, 11, 21)):
        super().__init__()
        hidden = max(channels // reduction, 4)
        self.mlp = nn.Sequential(nn.Conv2d(channels, hidden, 1), nn.ReLU(),
                                 nn.Conv2d(hidden, channels, 1))
        self.dw5 = nn.Conv2d(channels, channels, 5, padding=2, groups=channels)
        self.strips = nn.ModuleList(
            nn.Sequential(nn.Conv2d(channels, channels, (1, k), padding=(0, k // 2),
                                    groups=channels),
                          nn.Conv2d(channels, channels, (k, 1), padding=(k // 2, 0),
                                    groups=channels))
            for k in strips)
        self.mix = nn.Conv2d(channels, channels, 1)
        self.out = nn.Conv2d(channels, channels, 1)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        avg = self.mlp(F.adaptive_avg_pool2d(x, 1))
        mx = self.mlp(F.adaptive_max_pool2d(x, 1))
        x = x * torch.sigmoid(avg + mx)
        d = self.dw5(x)
        a = d + sum(branch(d) for branch in self.strips)
        return self.out(self.mix(a) * x)


class CARAFE(nn.Module):
    """Content-aware reassembly of features (Wang et al. 2019), upsampling by ``scale``.

    A kernel-prediction branch (1x1 channel compressor, ``k_enc`` x ``k_enc`` content encoder,
    pixel shuffle, softmax) predicts for every output pixel a normalised ``k_up`` x ``k_up``
    kernel; each output pixel is that kernel applied to the neighbourhood of its source pixel
    in the input. Unlike nearest or bilinear upsampling the weights depend on content, so fine
    structures (small sprouts) are reassembled rather than smeared.
    """

    def __init__(self, channels: int, scale: int = 2, k_up: int = 5, k_enc: int = 3,
                 compressed: int = 16):
        super().__init__()
        self.scale, self.k_up = scale, k_up
        self.compress = nn.Conv2d(channels, compressed, 1)
        self.encode = nn.Conv2d(compressed, scale * scale * k_up * k_up, k_enc,
                                padding=k_enc // 2)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        n, c, h, w = x.shape
        s, k = self.scale, self.k_up
        # kernels for the s x s output pixels that share one source pixel: n, k*k, h, s, w, s
        kernels = torch.softmax(F.pixel_shuffle(self.encode(self.compress(x)), s), 1)
        kernels = kernels.view(n, k * k, h, s, w, s)
        patches = F.unfold(x, k, padding=k // 2).view(n, c, k * k, h, w)
        # reassemble without materialising the upsampled neighbourhoods
        out = torch.einsum("ncqhw,nqhawb->nchawb", patches, kernels)
        return out.reshape(n, c, h * s, w * s)
