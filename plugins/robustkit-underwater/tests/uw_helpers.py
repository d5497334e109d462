"""Small seeded RGB data for the tests (no other plugin needed)."""

from __future__ import annotations

import torch

from robustkit import DataBundle, DataInfo, Modality, Task
from robustkit.data import make_generator


def smooth_images(n: int, size: int = 16, seed: int = 0) -> torch.Tensor:
    """Colourful, smooth images in [0, 1]: random low-frequency colour fields plus edges."""
    gen = make_generator(seed, "test-images")
    coarse = torch.rand(n, 3, 4, 4, generator=gen)
    x = torch.nn.functional.interpolate(coarse, size=(size, size), mode="bilinear",
                                        align_corners=False)
    stripes = (torch.arange(size) // 4 % 2).float()[None, None, None, :]
    return (0.7 * x + 0.3 * stripes).clamp(0, 1)


def rgb_classification(seed: int, size: int = 8) -> DataBundle:
    """Four classes of coloured prototypes with noise: for the defense contracts."""
    gen = make_generator(seed, "rgb-classes")
    protos = torch.rand(4, 3, size, size, generator=gen)

    def draw(n: int):
        y = torch.arange(n) % 4
        return (protos[y] + 0.1 * torch.randn(n, 3, size, size, generator=gen)).clamp(0, 1), y

    (xt, yt), (xe, ye) = draw(96), draw(32)
    info = DataInfo(Task.CLASSIFICATION, Modality.IMAGE, (3, size, size), (0.0, 1.0),
                    num_classes=4)
    return DataBundle(xt, yt, xe, ye, info)
