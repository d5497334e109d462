"""The networks and their builders. Each builder reads shapes from DataInfo."""

from __future__ import annotations

import math

import torch
from torch import nn

from robustkit import DataInfo
from robustkit_vision_models.params import MLPParams, SmallCNNParams, SmallResNetParams


class MLPBuilder:
    def __init__(self, params: MLPParams):
        self.params = params

    def build(self, info: DataInfo) -> nn.Module:
        layers: list[nn.Module] = [nn.Flatten()]
        width = math.prod(info.input_shape)
        for h in self.params.hidden:
            layers += [nn.Linear(width, h), nn.ReLU()]
            if self.params.dropout:
                layers.append(nn.Dropout(self.params.dropout))
            width = h
        layers.append(nn.Linear(width, info.output_size))
        return nn.Sequential(*layers)


def _image_channels(info: DataInfo) -> tuple[int, int, int]:
    if len(info.input_shape) != 3:
        raise ValueError(f"expects C x H x W image inputs, got shape {info.input_shape}")
    return info.input_shape  # type: ignore[return-value]


class SmallCNN(nn.Module):
    def __init__(self, in_ch: int, size: tuple[int, int], classes: int, p: SmallCNNParams):
        super().__init__()
        c = p.channels
        self.features = nn.Sequential(
            nn.Conv2d(in_ch, c, 3, padding=1), nn.ReLU(),
            nn.Conv2d(c, c, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(c, 2 * c, 3, padding=1), nn.ReLU(),
            nn.Conv2d(2 * c, 2 * c, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        )
        h, w = size[0] // 4, size[1] // 4
        self.head = nn.Sequential(
            nn.Flatten(), nn.Linear(2 * c * h * w, p.hidden), nn.ReLU(),
            nn.Dropout(p.dropout), nn.Linear(p.hidden, classes),
        )

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.features(x))


class SmallCNNBuilder:
    def __init__(self, params: SmallCNNParams):
        self.params = params

    def build(self, info: DataInfo) -> nn.Module:
        c, h, w = _image_channels(info)
        if h < 4 or w < 4:
            raise ValueError(f"small-cnn pools twice and needs images of at least 4x4, got {h}x{w}")
        return SmallCNN(c, (h, w), info.output_size, self.params)


class BasicBlock(nn.Module):
    def __init__(self, cin: int, cout: int, stride: int):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.shortcut: nn.Module = nn.Identity()
        if stride != 1 or cin != cout:
            self.shortcut = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False),
                                          nn.BatchNorm2d(cout))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        out = torch.relu(self.bn1(self.conv1(x)))
        return torch.relu(self.bn2(self.conv2(out)) + self.shortcut(x))


class SmallResNet(nn.Module):
    def __init__(self, in_ch: int, classes: int, p: SmallResNetParams):
        super().__init__()
        w = p.width
        self.stem = nn.Sequential(nn.Conv2d(in_ch, w, 3, 1, 1, bias=False), nn.BatchNorm2d(w),
                                  nn.ReLU())
        blocks: list[nn.Module] = []
        cin = w
        for stage, cout in enumerate((w, 2 * w, 4 * w)):
            for i in range(p.blocks_per_stage):
                blocks.append(BasicBlock(cin, cout, 2 if stage > 0 and i == 0 else 1))
                cin = cout
        self.blocks = nn.Sequential(*blocks)
        self.head = nn.Sequential(nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(cin, classes))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.head(self.blocks(self.stem(x)))


class SmallResNetBuilder:
    def __init__(self, params: SmallResNetParams):
        self.params = params

    def build(self, info: DataInfo) -> nn.Module:
        c, _, _ = _image_channels(info)
        return SmallResNet(c, info.output_size, self.params)
