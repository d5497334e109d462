"""ART's input-preprocessing defenses as robustkit input-transform defenses.

``art-feature-squeezing`` (bit-depth reduction) and ``art-spatial-smoothing`` (a median
filter), the two squeezers of Xu, Evans & Qi (NDSS 2018), run by ART on NumPy arrays. They
are registered ``differentiable=False``: no gradient flows through NumPy, so the pipeline
refuses gradient attacks on them, and with ``integrity = "escalate"`` the adaptive escalation
attacks them through BPDA (the identity on the backward pass, Athalye et al. 2018).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch

from robustkit.data import DataBundle, DefenseContext
from robustkit.errors import DataError


class ARTPreprocessor:
    """Builds the ART preprocessor once the data's bounds are known (``fit``), then applies it
    to every input the model sees (``transform``)."""

    art_class = ""

    def __init__(self, params: Any):
        self.params = params
        self._pre: Any = None

    def _build(self, bounds: tuple[float, float], image: bool) -> Any:
        raise NotImplementedError

    def fit(self, data: DataBundle, ctx: DefenseContext) -> None:
        image = len(data.info.input_shape) == 3
        self._pre = self._build(tuple(map(float, data.info.bounds)), image)

    def transform(self, x: torch.Tensor) -> torch.Tensor:
        if self._pre is None:  # used outside a pipeline: bounds from the data itself
            self._pre = self._build((0.0, 1.0), x.dim() == 4)
        out, _ = self._pre(x.detach().cpu().numpy().astype(np.float32))
        return torch.as_tensor(np.asarray(out), dtype=x.dtype, device=x.device)


class FeatureSqueezing(ARTPreprocessor):
    """Round every input value to ``bit_depth`` bits within the data's bounds."""

    def _build(self, bounds: tuple[float, float], image: bool) -> Any:
        from art.defences.preprocessor import FeatureSqueezing as Squeeze

        return Squeeze(clip_values=bounds, bit_depth=self.params.bit_depth)


class SpatialSmoothing(ARTPreprocessor):
    """A ``window_size`` x ``window_size`` median filter over each image channel."""

    def _build(self, bounds: tuple[float, float], image: bool) -> Any:
        from art.defences.preprocessor import SpatialSmoothing as Smooth

        if not image:
            raise DataError("art-spatial-smoothing filters images (C, H, W); this data set's "
                            "inputs are not images. Use art-feature-squeezing instead")
        return Smooth(window_size=self.params.window_size, channels_first=True,
                      clip_values=bounds)
