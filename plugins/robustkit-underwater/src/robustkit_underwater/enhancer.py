"""The dual-branch enhancement network: dense blocks with efficient channel attention.

Branch one corrects colour: a dense block, ECA, and a global pooling head that predicts a
per-image, per-channel gain and offset. That is the exact inverse of the image-formation model
for a scene at one range (``J = I / t - B (1 - t) / t``), so the branch learns the physics'
first-order correction. Branch two reads detail: a dense block on the input and ECA at full
resolution, so it sees edges and the local haze level. A fusion stage (conv, ECA, conv) reads
the colour-corrected image and the detail features and predicts per-pixel gain and offset
maps, smoothed by a box filter, applied to the colour-corrected image. The range (and so the
transmission and backscatter) varies slowly across an image, so smooth maps can follow it,
and an image's own edges pass through scaled, never invented or blurred: that keeps the output
as sharp as the input, which a free per-pixel residual trained on L1 + SSIM does not.

Dense connections: Huang et al., CVPR 2017. ECA: Wang et al., "ECA-Net: Efficient Channel
Attention for Deep Convolutional Neural Networks", CVPR 2020.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from robustkit import DataInfo
from robustkit.errors import DataError
from robustkit_underwater.params import EnhancerParams
from robustkit_underwater.quality import ssim

# The darkest non-zero 8-bit level. Shadows clipped to exactly 0 carry no information, and
# they also make UISM's block ratio log(max / min) undefined, so UIQM drops those blocks.
OUTPUT_FLOOR = 1.0 / 255.0


class ECA(nn.Module):
    """Channel weights from a 1-D convolution over the pooled channel descriptor."""

    def __init__(self, kernel: int = 3):
        super().__init__()
        self.conv = nn.Conv1d(1, 1, kernel, padding=kernel // 2, bias=False)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        w = x.mean(dim=(2, 3))[:, None, :]  # N x 1 x C
        w = torch.sigmoid(self.conv(w))[:, 0, :, None, None]
        return x * w


class DenseBlock(nn.Module):
    """Each 3x3 layer sees the concatenation of the block input and every earlier layer."""

    def __init__(self, in_ch: int, growth: int, layers: int):
        super().__init__()
        self.layers = nn.ModuleList(
            nn.Conv2d(in_ch + i * growth, growth, 3, padding=1) for i in range(layers))
        self.out_channels = in_ch + layers * growth

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        feats = [x]
        for conv in self.layers:
            feats.append(F.leaky_relu(conv(torch.cat(feats, 1)), 0.1))
        return torch.cat(feats, 1)


class DualBranchEnhancer(nn.Module):
    """Underwater image in, enhanced image out (both N x C x H x W in [0, 1]; C = 3 for
    colour, 1 for a monochrome camera)."""

    def __init__(self, p: EnhancerParams, channels: int = 3):
        super().__init__()
        c = channels
        self.channels = c
        self.ssim_weight = p.ssim_weight
        self.colour_block = DenseBlock(c, p.growth, p.layers)
        self.colour_eca = ECA(p.eca_kernel)
        self.colour_head = nn.Linear(self.colour_block.out_channels, 2 * c)
        nn.init.zeros_(self.colour_head.weight)  # start as the identity: gain 1, offset 0
        nn.init.zeros_(self.colour_head.bias)
        self.detail_block = DenseBlock(c, p.growth, p.layers)
        self.detail_eca = ECA(p.eca_kernel)
        fused = c + self.detail_block.out_channels
        self.fuse_in = nn.Conv2d(fused, 2 * p.growth, 3, padding=1)
        self.fuse_eca = ECA(p.eca_kernel)
        self.fuse_out = nn.Conv2d(2 * p.growth, 2 * c, 3, padding=1)
        self.smoothing = p.map_smoothing
        nn.init.zeros_(self.fuse_out.weight)
        nn.init.zeros_(self.fuse_out.bias)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        c = self.colour_eca(self.colour_block(x)).mean(dim=(2, 3))
        gain_offset = self.colour_head(c)
        c = self.channels
        gain = torch.exp(gain_offset[:, :c])[:, :, None, None]  # positive, 1 at start
        corrected = x * gain + gain_offset[:, c:, None, None]
        d = self.detail_eca(self.detail_block(x))
        h = F.leaky_relu(self.fuse_in(torch.cat([corrected, d], 1)), 0.1)
        maps = self.fuse_out(self.fuse_eca(h))
        if self.smoothing > 1:
            maps = F.avg_pool2d(maps, self.smoothing, stride=1, padding=self.smoothing // 2,
                                count_include_pad=False)
        out = corrected * torch.exp(maps[:, :c]) + maps[:, c:]
        return out.clamp(OUTPUT_FLOOR, 1.0)

    def training_loss(self, outputs: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
        """L1 + w (1 - SSIM): L1 for colour fidelity, SSIM for local structure."""
        return F.l1_loss(outputs, targets) + self.ssim_weight * (1 - ssim(outputs, targets))


class EnhancerBuilder:
    def __init__(self, params: EnhancerParams):
        self.params = params

    def build(self, info: DataInfo) -> nn.Module:
        if len(info.input_shape) != 3 or info.input_shape[0] not in (1, 3):
            raise DataError(f"underwater-enhancer needs 3 x H x W colour (or 1 x H x W grey) "
                            f"images, the data set gives {info.input_shape}")
        return DualBranchEnhancer(self.params, channels=info.input_shape[0])
