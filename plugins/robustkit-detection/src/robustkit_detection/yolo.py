"""A loader for YOLO-format label folders.

Layout: ``root/train`` and ``root/test``, each with ``images/`` (``.png``, ``.jpg``,
``.jpeg``, ``.bmp``) and ``labels/`` holding one ``<image stem>.txt`` per image, one object
per line: ``class cx cy w h`` with the centre and size normalised to [0, 1] by the image
width and height. An image without a label file has no objects (the YOLO convention); a label
file without its image is an error. Boxes are converted to the package convention (xyxy pixel
coordinates, padded N x M x 5).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from robustkit.components import DataInfo, Modality, Task
from robustkit.data import DataBundle
from robustkit.errors import DataError
from robustkit_detection.params import YoloFolderParams

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp")


def parse_label_file(path: Path, num_classes: int) -> np.ndarray:
    """``k x 5`` rows ``(class, cx, cy, w, h)`` normalised; DataError names file and line."""
    rows = []
    for number, line in enumerate(path.read_text().splitlines(), 1):
        if not line.strip():
            continue
        where = f"{path}:{number}"
        fields = line.split()
        if len(fields) != 5:
            raise DataError(f"{where}: expected 5 fields 'class cx cy w h', got {len(fields)}: "
                            f"{line.strip()!r}")
        try:
            values = [float(f) for f in fields]
        except ValueError:
            raise DataError(f"{where}: fields must be numbers, got {line.strip()!r}") from None
        cls, cx, cy, w, h = values
        if not np.isfinite(values).all():
            raise DataError(f"{where}: NaN or infinity in {line.strip()!r}")
        if cls != int(cls) or not 0 <= cls < num_classes:
            raise DataError(f"{where}: class {fields[0]} is not an integer in "
                            f"[0, {num_classes}); raise num_classes or fix the label")
        if not (0 <= cx <= 1 and 0 <= cy <= 1 and 0 < w <= 1 and 0 < h <= 1):
            raise DataError(f"{where}: cx, cy must lie in [0, 1] and w, h in (0, 1] (coordinates "
                            f"normalised by the image size); got {line.strip()!r}")
        tol = 1e-3
        if cx - w / 2 < -tol or cx + w / 2 > 1 + tol or cy - h / 2 < -tol or cy + h / 2 > 1 + tol:
            raise DataError(f"{where}: the box {line.strip()!r} reaches outside the image")
        rows.append(values)
    return np.array(rows, dtype=np.float64).reshape(-1, 5)


def _read_image(path: Path, size: int | None) -> np.ndarray:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as im:
            im = im.convert("RGB")
            if size is not None:
                im = im.resize((size, size), Image.Resampling.BILINEAR)
            return np.asarray(im, dtype=np.float32) / 255.0
    except (UnidentifiedImageError, OSError) as exc:
        raise DataError(f"{path}: not a readable image ({exc})") from None


def load_split(folder: Path, num_classes: int, size: int | None):
    """Images (N x 3 x H x W in [0, 1]) and padded xyxy labels of one split folder."""
    import torch

    from robustkit_detection.boxes import pad_targets

    images_dir, labels_dir = folder / "images", folder / "labels"
    if not images_dir.is_dir():
        raise DataError(f"{images_dir}: missing; a YOLO split folder holds images/ and labels/")
    images = {p.stem: p for p in sorted(images_dir.iterdir())
              if p.suffix.lower() in IMAGE_SUFFIXES}
    labels = sorted(labels_dir.glob("*.txt")) if labels_dir.is_dir() else []
    orphans = [p.name for p in labels if p.stem not in images]
    if orphans:
        raise DataError(f"{labels_dir}: label files without an image in {images_dir}: "
                        f"{', '.join(orphans[:5])}")
    if not images:
        raise DataError(f"{images_dir}: no images ({', '.join(IMAGE_SUFFIXES)})")
    xs, ys = [], []
    for stem, path in images.items():
        img = _read_image(path, size)
        if xs and img.shape != xs[0].shape:
            raise DataError(f"{path}: size {img.shape[1]}x{img.shape[0]} differs from "
                            f"{xs[0].shape[1]}x{xs[0].shape[0]}; set image_size to resize all")
        label = labels_dir / f"{stem}.txt"
        rows = parse_label_file(label, num_classes) if label.exists() else np.zeros((0, 5))
        h, w = img.shape[:2]
        boxes = np.stack([rows[:, 0], (rows[:, 1] - rows[:, 3] / 2) * w,
                          (rows[:, 2] - rows[:, 4] / 2) * h, (rows[:, 1] + rows[:, 3] / 2) * w,
                          (rows[:, 2] + rows[:, 4] / 2) * h], 1)
        boxes[:, 1:] = np.clip(boxes[:, 1:], 0, [w, h, w, h])
        xs.append(img)
        ys.append(torch.from_numpy(boxes.astype(np.float32)))
    x = torch.from_numpy(np.stack(xs).transpose(0, 3, 1, 2).copy())
    return x, pad_targets(ys)


class YoloFolder:
    """The ``yolo-folder`` data set."""

    def __init__(self, params: YoloFolderParams):
        self.params = params

    def load(self, seed: int) -> DataBundle:
        import torch

        p = self.params
        root = Path(p.root).expanduser()
        if not root.is_dir():
            raise DataError(f"yolo-folder: root {root} is not a folder")
        x_tr, y_tr = load_split(root / "train", p.num_classes, p.image_size)
        x_te, y_te = load_split(root / "test", p.num_classes, p.image_size)
        if x_tr.shape[1:] != x_te.shape[1:]:
            raise DataError(f"yolo-folder: train images are {tuple(x_tr.shape[2:])} but test "
                            f"images {tuple(x_te.shape[2:])}; set image_size")
        m = max(y_tr.shape[1], y_te.shape[1])  # one padded width for both splits

        def widen(y: torch.Tensor) -> torch.Tensor:
            pad = torch.zeros(y.shape[0], m - y.shape[1], 5)
            pad[..., 0] = -1
            return torch.cat([y, pad], 1)

        info = DataInfo(Task.DETECTION, Modality.IMAGE, tuple(x_tr.shape[1:]), (0.0, 1.0),
                        num_classes=p.num_classes, extra={"box_format": "xyxy"})
        return DataBundle(x_tr, widen(y_tr), x_te, widen(y_te), info)
