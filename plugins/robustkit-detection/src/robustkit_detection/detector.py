"""The compact one-stage, anchor-free sprout detector.

Backbone: three strided conv stages (strides 2, 4, 8). Neck: the stride-8 map (optionally
through CPCA) is upsampled to stride 4 (nearest, or CARAFE) and fused with the stride-4 map
(optionally edge-enhanced by EIE). Head: decoupled YOLO-style branches on the stride-4 grid.
The forward pass returns the raw dense output ``N x (5 + C) x H/4 x W/4`` whose channels are
``objectness, dx, dy, log w, log h, class logits...`` (see :mod:`robustkit_detection.head`).
"""

from __future__ import annotations

import torch
from torch import nn

from robustkit.components import DataInfo
from robustkit.errors import DataError
from robustkit_detection.head import STRIDE, decode, detection_loss
from robustkit_detection.modules import CARAFE, CPCA, EdgeEnhancement, conv_bn
from robustkit_detection.params import DetectorParams


class SproutDetector(nn.Module):
    def __init__(self, in_channels: int, num_classes: int, p: DetectorParams):
        super().__init__()
        w = p.width
        self.num_classes = num_classes
        self.stage1 = nn.Sequential(conv_bn(in_channels, w, 3, 2), conv_bn(w, w))
        self.stage2 = nn.Sequential(conv_bn(w, 2 * w, 3, 2), conv_bn(2 * w, 2 * w))
        self.stage3 = nn.Sequential(conv_bn(2 * w, 4 * w, 3, 2), conv_bn(4 * w, 4 * w))
        self.eie = EdgeEnhancement(2 * w, STRIDE, hidden=w) if p.eie else None
        self.cpca = CPCA(4 * w) if p.cpca else None
        self.reduce = conv_bn(4 * w, 2 * w, 1)
        self.up = CARAFE(2 * w) if p.carafe else nn.Upsample(scale_factor=2, mode="nearest")
        self.fuse = nn.Sequential(conv_bn(4 * w, 2 * w, 1), conv_bn(2 * w, 2 * w))
        self.box_head = nn.Sequential(conv_bn(2 * w, 2 * w), nn.Conv2d(2 * w, 5, 1))
        self.cls_head = nn.Sequential(conv_bn(2 * w, 2 * w), nn.Conv2d(2 * w, num_classes, 1))
        # start objectness near a 1% prior, as focal-loss detectors do, so early training is
        # not swamped by the many empty cells
        nn.init.constant_(self.box_head[-1].bias[:1], -4.6)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.dim() != 4 or x.shape[-1] % 8 or x.shape[-2] % 8:
            raise DataError(f"sprout-detector needs N x C x H x W images with H and W multiples "
                            f"of 8; got shape {tuple(x.shape)}")
        p2 = self.stage2(self.stage1(x))
        p3 = self.stage3(p2)
        if self.cpca is not None:
            p3 = p3 + self.cpca(p3)
        if self.eie is not None:
            p2 = self.eie(x, p2)
        f = self.fuse(torch.cat([p2, self.up(self.reduce(p3))], 1))
        return torch.cat([self.box_head(f), self.cls_head(f)], 1)

    def training_loss(self, outputs: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
        """The detection loss against padded xyxy targets (used by robustkit's trainer)."""
        return detection_loss(outputs, targets, self.num_classes)

    def decode(self, outputs: torch.Tensor, **options) -> list:
        """Per image ``(boxes K x 4, scores K, classes K)`` after NMS."""
        return decode(outputs, **options)


class SproutDetectorBuilder:
    def __init__(self, params: DetectorParams):
        self.params = params

    def build(self, info: DataInfo) -> nn.Module:
        if len(info.input_shape) != 3 or not info.num_classes:
            raise DataError("sprout-detector needs image data (C, H, W) with num_classes set in "
                            f"DataInfo; got input_shape {info.input_shape}, num_classes "
                            f"{info.num_classes}")
        c, h, w = info.input_shape
        if h % 8 or w % 8:
            raise DataError(f"sprout-detector needs image sides that are multiples of 8; the "
                            f"data set has {h}x{w}. Resize the data (e.g. image_size=64)")
        return SproutDetector(c, info.num_classes, self.params)

