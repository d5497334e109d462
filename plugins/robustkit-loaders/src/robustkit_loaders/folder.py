"""A folder of images, one sub-folder per class, read with Pillow."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from robustkit.data import DataBundle
from robustkit_loaders.bundle import image_bundle
from robustkit_loaders.errors import data_error, existing
from robustkit_loaders.params import ImageFolderParams

SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".gif", ".tif", ".tiff", ".webp", ".ppm", ".pgm"}


def _classes(root: Path) -> list[str]:
    visible = [p for p in root.iterdir() if not p.name.startswith(".")]
    stray = sorted(p.name for p in visible if not p.is_dir())
    if stray:  # a file beside the class folders belongs to no class
        raise data_error(root, f"holds file(s) beside the class folders ({', '.join(stray[:5])})",
                         "Move them out; every image goes in a class sub-folder")
    names = sorted(p.name for p in visible)
    if not names:
        raise data_error(root, "has no class sub-folders", "Put each class's images in "
                         "train/<class>/ and test/<class>/")
    return names


class ImageFolder:
    def __init__(self, params: ImageFolderParams):
        self.params = params

    def _read(self, path: Path) -> np.ndarray:
        from PIL import Image, UnidentifiedImageError

        h, w = self.params.size
        try:
            with Image.open(path) as img:
                img = img.convert(self.params.mode).resize((w, h), Image.Resampling.BILINEAR)
                arr = np.asarray(img, dtype=np.uint8)
        except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
            raise data_error(path, f"cannot be read as an image ({exc})",
                             "Remove or replace the file") from None
        return arr[None] if arr.ndim == 2 else arr.transpose(2, 0, 1)

    def _split(self, root: Path, classes: list[str]) -> tuple[np.ndarray, np.ndarray]:
        xs, ys = [], []
        for k, name in enumerate(classes):
            if not (root / name).is_dir():
                continue  # a class may be absent from the test split
            entries = [p for p in (root / name).iterdir() if not p.name.startswith(".")]
            stray = sorted(p.name for p in entries
                           if not (p.is_file() and p.suffix.lower() in SUFFIXES))
            if stray:  # skipping them would silently shrink the class
                raise data_error(root / name, f"holds {len(stray)} entr"
                                 f"{'y' if len(stray) == 1 else 'ies'} that are not images "
                                 f"({', '.join(stray[:5])})", "Move them out of the data "
                                 "folder; images end in " + ", ".join(sorted(SUFFIXES)))
            files = sorted(entries)
            xs += [self._read(p) for p in files]
            ys += [k] * len(files)
        if not xs:
            raise data_error(root, "holds no images (looked for " +
                             ", ".join(sorted(SUFFIXES)) + ")")
        return np.stack(xs), np.asarray(ys, dtype=np.int64)

    def load(self, seed: int) -> DataBundle:
        root = existing(self.params.path, "image folder")
        train, test = root / "train", root / "test"
        for part in (train, test):
            if not part.is_dir():
                raise data_error(part, "not found", "The path needs train/ and test/ folders")
        classes = _classes(train)
        test_classes = _classes(test)
        unknown = sorted(set(test_classes) - set(classes))
        if unknown:
            raise data_error(test, f"has classes {unknown} that train/ lacks")
        x_tr, y_tr = self._split(train, classes)
        x_te, y_te = self._split(test, classes)
        return image_bundle(x_tr, y_tr, x_te, y_te, len(classes), f"image-folder ({root})",
                            class_names=classes)
