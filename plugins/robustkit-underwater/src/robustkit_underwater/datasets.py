"""Data sets: (degraded, clean) underwater patch pairs, and coloured digits for classifiers."""

from __future__ import annotations

import numpy as np
import torch

from robustkit import DataBundle, DataInfo, Modality, Task
from robustkit.data import make_generator
from robustkit.errors import DataError
from robustkit_underwater.images import folder_images, skimage_photo, tiles
from robustkit_underwater.params import ColorDigitsParams, PairsParams
from robustkit_underwater.water import degrade


class UnderwaterPairs:
    """Image-to-image pairs: inputs are patches seen through random water, targets the clean
    patches. Train and test patches come from different photographs."""

    def __init__(self, params: PairsParams):
        self.params = params

    def _split(self, images: list[np.ndarray], what: str) -> torch.Tensor:
        p = self.params
        parts = [tiles(im, p.scale, p.patch) for im in images]
        x = np.concatenate(parts) if parts else np.zeros((0, 3, p.patch, p.patch), np.float32)
        if x.shape[0] == 0:
            raise DataError(f"underwater-pairs: the {what} images give no {p.patch}-pixel "
                            f"patch at scale {p.scale}; raise scale or lower patch")
        return torch.from_numpy(x)

    def _degrade(self, clean: torch.Tensor, seed: int, split: str) -> tuple[torch.Tensor,
                                                                            torch.Tensor]:
        p = self.params
        gen = make_generator(seed, "underwater-pairs", split)
        target = clean.repeat(p.variants, 1, 1, 1)
        sev = p.severity_min + (p.severity_max - p.severity_min) * torch.rand(
            target.shape[0], generator=gen)
        return degrade(target, severity=sev, water=p.water, generator=gen), target

    def load(self, seed: int) -> DataBundle:
        p = self.params
        if p.folder:
            train_imgs, test_imgs = folder_images(p.folder)
        else:
            train_imgs = [skimage_photo(n) for n in p.train_images]
            test_imgs = [skimage_photo(n) for n in p.test_images]
        x_train, y_train = self._degrade(self._split(train_imgs, "train"), seed, "train")
        x_test, y_test = self._degrade(self._split(test_imgs, "test"), seed, "test")
        info = DataInfo(task=Task.IMAGE_TO_IMAGE, modality=Modality.IMAGE,
                        input_shape=(3, p.patch, p.patch), bounds=(0.0, 1.0), output_dim=3,
                        extra={"target": "clean patch"})
        return DataBundle(x_train, y_train, x_test, y_test, info)


class ColorDigits:
    """scikit-learn's digits, upsampled and painted in a random colour pair per image (a dark
    and a light colour, either as ink), so classifiers see RGB images."""

    def __init__(self, params: ColorDigitsParams):
        self.params = params

    def load(self, seed: int) -> DataBundle:
        import torch.nn.functional as F
        from sklearn.datasets import load_digits
        from sklearn.model_selection import train_test_split

        p = self.params
        digits = load_digits()
        ink = torch.from_numpy(digits.images.astype(np.float32) / 16.0)[:, None]
        ink = F.interpolate(ink, size=(p.size, p.size), mode="bilinear", align_corners=False)
        gen = make_generator(seed, "color-digits")
        n = ink.shape[0]
        dark = 0.35 * torch.rand(n, 3, generator=gen)
        light = 0.65 + 0.35 * torch.rand(n, 3, generator=gen)
        swap = torch.rand(n, generator=gen) < 0.5
        fg = torch.where(swap[:, None], dark, light)
        bg = torch.where(swap[:, None], light, dark)
        x = (bg[:, :, None, None] * (1 - ink) + fg[:, :, None, None] * ink).clamp(0, 1)
        y = torch.from_numpy(digits.target.astype(np.int64))
        idx = np.arange(n)
        tr, te = train_test_split(idx, test_size=p.test_fraction, stratify=digits.target,
                                  random_state=seed % 2**32)
        info = DataInfo(task=Task.CLASSIFICATION, modality=Modality.IMAGE,
                        input_shape=(3, p.size, p.size), bounds=(0.0, 1.0), num_classes=10,
                        class_names=tuple(str(i) for i in range(10)))
        return DataBundle(x[tr], y[tr], x[te], y[te], info)
