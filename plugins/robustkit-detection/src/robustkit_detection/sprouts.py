"""A seeded synthetic tea-sprout data set: small elongated sprouts of three grades on
textured foliage, with occlusion, lighting and clutter controls.

Grades (classes) differ as tea pickers grade buds (bud only; one bud and one leaf; one bud and
two leaves): in length, width, colour and the number of side leaves. Everything is drawn with
NumPy from one generator derived from the seed, so a seed fixes the whole data set.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.ndimage import gaussian_filter

from robustkit.components import DataInfo, Modality, Task
from robustkit.data import DataBundle, derive_seed
from robustkit_detection.params import SproutParams

CLASS_NAMES = ("bud", "one-bud-one-leaf", "one-bud-two-leaves")


@dataclass(frozen=True)
class Grade:
    length: tuple[float, float]  # semi-major axis of the bud, pixels
    width: tuple[float, float]  # semi-minor axis
    colour: tuple[float, float, float]  # RGB of the bud
    leaves: int  # side leaves


GRADES = (
    Grade((2.6, 3.6), (1.0, 1.4), (0.80, 0.88, 0.45), 0),
    Grade((3.8, 5.0), (1.3, 1.8), (0.62, 0.82, 0.35), 1),
    Grade((5.0, 6.5), (1.7, 2.3), (0.45, 0.72, 0.25), 2),
)
LEAF_COLOUR = np.array([0.35, 0.58, 0.22])


class Canvas:
    """An RGB image being painted, with the pixel grid cached for ellipse masks."""

    def __init__(self, size: int):
        self.size = size
        self.yy, self.xx = np.mgrid[0:size, 0:size].astype(np.float64) + 0.5
        self.img = np.zeros((size, size, 3))

    def ellipse(self, cx: float, cy: float, a: float, b: float, angle: float) -> np.ndarray:
        """Soft coverage in [0, 1] of a rotated ellipse (antialiased over about one pixel)."""
        c, s = np.cos(angle), np.sin(angle)
        dx, dy = self.xx - cx, self.yy - cy
        u, v = (dx * c + dy * s) / a, (-dx * s + dy * c) / b
        r = np.sqrt(u * u + v * v)
        return np.clip((1.0 - r) * min(a, b) + 0.5, 0.0, 1.0)

    def paint(self, alpha: np.ndarray, colour: np.ndarray) -> None:
        self.img = self.img * (1 - alpha[..., None]) + alpha[..., None] * colour


def _background(canvas: Canvas, rng: np.random.Generator) -> None:
    n = canvas.size
    base = np.array([0.16, 0.30, 0.12]) * rng.uniform(0.8, 1.2)
    texture = gaussian_filter(rng.normal(size=(n, n)), 1.5)
    texture /= texture.std() + 1e-9
    canvas.img = base + 0.05 * texture[..., None] * np.array([0.6, 1.0, 0.5])
    for _ in range(int(rng.integers(6, 12))):  # large background leaves
        colour = LEAF_COLOUR * rng.uniform(0.45, 0.8) + rng.normal(0, 0.02, 3)
        alpha = canvas.ellipse(rng.uniform(0, n), rng.uniform(0, n), rng.uniform(5, 12),
                               rng.uniform(2.5, 5), rng.uniform(0, np.pi))
        canvas.paint(0.9 * alpha, colour)


def _sprout(canvas: Canvas, rng: np.random.Generator, grade: int,
            occlusion: float) -> list[float]:
    """Paint one sprout; return its box (x1, y1, x2, y2) over everything painted for it."""
    g, n = GRADES[grade], canvas.size
    a, b = rng.uniform(*g.length), rng.uniform(*g.width)
    margin = a + 2
    cx, cy = rng.uniform(margin, n - margin), rng.uniform(margin, n - margin)
    angle = rng.uniform(-np.pi / 3, np.pi / 3) - np.pi / 2  # mostly upright
    colour = np.clip(np.array(g.colour) + rng.normal(0, 0.03, 3), 0, 1)
    cover = canvas.ellipse(cx, cy, a, b, angle)
    canvas.paint(cover, colour)
    mask = cover
    for k in range(g.leaves):  # side leaves splay from the bud's base
        side = 1 if k % 2 == 0 else -1
        la = a * rng.uniform(0.55, 0.75)
        ang = angle + side * rng.uniform(0.5, 0.9)
        bx = cx - 0.45 * a * np.cos(angle) + 0.5 * la * np.cos(ang)
        by = cy - 0.45 * a * np.sin(angle) + 0.5 * la * np.sin(ang)
        leaf = canvas.ellipse(bx, by, la, b * 0.8, ang)
        canvas.paint(leaf, colour * rng.uniform(0.8, 0.9))
        mask = np.maximum(mask, leaf)
    ys, xs = np.nonzero(mask > 0.5)
    box = [float(xs.min()), float(ys.min()), float(xs.max() + 1), float(ys.max() + 1)]
    if rng.uniform() < occlusion:  # a background leaf covers part of the sprout
        side = rng.uniform(0, 2 * np.pi)
        ox, oy = cx + a * np.cos(side), cy + a * np.sin(side)
        leaf = canvas.ellipse(ox, oy, a * rng.uniform(0.7, 1.0), b * rng.uniform(1.2, 2.0),
                              rng.uniform(0, np.pi))
        canvas.paint(0.95 * leaf, LEAF_COLOUR * rng.uniform(0.45, 0.8))
    return box


def _clutter(canvas: Canvas, rng: np.random.Generator, clutter: float) -> None:
    """Unlabelled distractors: thin stems and pale blobs that resemble sprouts in part."""
    n = canvas.size
    for _ in range(int(rng.poisson(6 * clutter))):
        colour = np.array([0.45, 0.40, 0.22]) * rng.uniform(0.8, 1.3)
        alpha = canvas.ellipse(rng.uniform(0, n), rng.uniform(0, n), rng.uniform(5, 10),
                               rng.uniform(0.5, 0.8), rng.uniform(0, np.pi))
        canvas.paint(alpha, colour)
    for _ in range(int(rng.poisson(3 * clutter))):
        colour = np.array([0.55, 0.72, 0.35]) * rng.uniform(0.8, 1.1)
        r = rng.uniform(1.5, 2.5)
        canvas.paint(canvas.ellipse(rng.uniform(0, n), rng.uniform(0, n), r, r, 0.0), colour)


def _lighting(img: np.ndarray, rng: np.random.Generator, strength: float) -> np.ndarray:
    n = img.shape[0]
    gain = 1.0 + strength * rng.uniform(-0.45, 0.35)
    theta = rng.uniform(0, 2 * np.pi)
    ramp = (np.cos(theta) * (np.arange(n)[None, :] - n / 2)
            + np.sin(theta) * (np.arange(n)[:, None] - n / 2)) / n
    return img * (gain + strength * 0.6 * ramp)[..., None]


def render(rng: np.random.Generator, p: SproutParams) -> tuple[np.ndarray, np.ndarray]:
    """One image (H x W x 3 in [0, 1]) and its boxes (k x 5: class, x1, y1, x2, y2)."""
    canvas = Canvas(p.image_size)
    _background(canvas, rng)
    _clutter(canvas, rng, p.clutter)
    k = int(rng.integers(1, p.max_sprouts + 1))
    boxes = []
    for _ in range(k):
        grade = int(rng.integers(0, len(GRADES)))
        boxes.append([grade, *_sprout(canvas, rng, grade, p.occlusion)])
    img = _lighting(canvas.img, rng, p.lighting)
    img = img + rng.normal(0, 0.01, img.shape)  # sensor noise
    return np.clip(img, 0, 1), np.array(boxes, dtype=np.float32)


def make_split(seed: int, split: str, n: int, p: SproutParams):
    import torch

    from robustkit_detection.boxes import pad_targets

    rng = np.random.default_rng(derive_seed(seed, "tea-sprouts", split))
    images, labels = [], []
    for _ in range(n):
        img, boxes = render(rng, p)
        images.append(img.transpose(2, 0, 1))
        labels.append(torch.from_numpy(boxes))
    x = torch.from_numpy(np.stack(images).astype(np.float32))
    return x, pad_targets(labels, min_rows=p.max_sprouts)


class TeaSprouts:
    """The ``tea-sprouts`` data set (see the module docstring)."""

    def __init__(self, params: SproutParams):
        self.params = params

    def load(self, seed: int) -> DataBundle:
        p = self.params
        x_tr, y_tr = make_split(seed, "train", p.n_train, p)
        x_te, y_te = make_split(seed, "test", p.n_test, p)
        info = DataInfo(Task.DETECTION, Modality.IMAGE, (3, p.image_size, p.image_size),
                        (0.0, 1.0), num_classes=len(GRADES), class_names=CLASS_NAMES,
                        extra={"box_format": "xyxy", "label_layout": "N x M x 5 "
                               "(class, x1, y1, x2, y2), padding class -1"})
        return DataBundle(x_tr, y_tr, x_te, y_te, info)
