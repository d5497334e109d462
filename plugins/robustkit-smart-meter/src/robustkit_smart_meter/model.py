"""A small 1-D CNN for sequence inputs (N x T x F): time steps are positions, features are
channels. For meter windows a time step is a day and its readings are the channels, so the
first layer sees the daily profile and the later ones how it changes from day to day."""

from __future__ import annotations

import torch
from torch import nn

from robustkit import DataInfo
from robustkit_smart_meter.params import MeterCNNParams


class MeterCNN(nn.Module):
    def __init__(self, features: int, classes: int, p: MeterCNNParams):
        super().__init__()
        layers: list[nn.Module] = []
        cin = features
        for _ in range(p.layers):
            layers += [nn.Conv1d(cin, p.width, p.kernel, padding=p.kernel // 2), nn.ReLU()]
            cin = p.width
        self.features = nn.Sequential(*layers)
        # mean and max over the days: tampering may touch only some of them
        self.head = nn.Linear(2 * p.width, classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = self.features(x.transpose(1, 2))
        return self.head(torch.cat([h.mean(-1), h.amax(-1)], dim=-1))


class MeterCNNBuilder:
    def __init__(self, params: MeterCNNParams):
        self.params = params

    def build(self, info: DataInfo) -> nn.Module:
        if len(info.input_shape) != 2:
            raise ValueError(f"meter-cnn expects T x F sequence inputs, got {info.input_shape}")
        return MeterCNN(info.input_shape[1], info.output_size, self.params)
