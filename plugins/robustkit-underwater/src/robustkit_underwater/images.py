"""Loading colour photographs (scikit-image's bundled ones or a user's folder) and tiling them."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from robustkit.errors import DataError

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".tif", ".tiff", ".bmp"}


def skimage_photo(name: str) -> np.ndarray:
    """One of scikit-image's bundled colour photographs as float RGB in [0, 1]."""
    from skimage import data, util

    image = getattr(data, name)()
    if isinstance(image, tuple):  # stereo pairs: the left view
        image = image[0]
    return util.img_as_float32(image[..., :3])


def read_image(path: Path) -> np.ndarray:
    """A colour image file as float RGB in [0, 1]; a clear DataError for anything else."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as im:
            im.load()
            mode = im.mode
            rgb = np.asarray(im.convert("RGB"), dtype=np.float32) / 255.0
    except (OSError, UnidentifiedImageError, ValueError) as exc:
        raise DataError(f"cannot read image {path} ({type(exc).__name__}: {exc}); remove or "
                        "replace the file") from exc
    if mode not in ("RGB", "RGBA", "P", "CMYK", "YCbCr", "LAB", "HSV"):
        raise DataError(f"image {path} is {mode} (not colour); underwater colour casts need "
                        "RGB images")
    return rgb


def folder_images(folder: str) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """A folder's images split into (train, test): every fourth file by name is held out."""
    root = Path(folder).expanduser()
    if not root.is_dir():
        raise DataError(f"image folder {root} does not exist or is not a folder")
    files = sorted(p for p in root.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
    if len(files) < 2:
        raise DataError(f"image folder {root} holds {len(files)} image(s); at least 2 are "
                        f"needed (one for training, one held out); suffixes read: "
                        f"{', '.join(sorted(IMAGE_SUFFIXES))}")
    images = [read_image(p) for p in files]
    test = [im for i, im in enumerate(images) if i % 4 == 3] or images[-1:]
    train = [im for i, im in enumerate(images) if i % 4 != 3] if len(images) > 3 else images[:-1]
    return train, test


def tiles(image: np.ndarray, scale: float, patch: int) -> np.ndarray:
    """Non-overlapping ``patch`` x ``patch`` tiles (N x 3 x patch x patch) of a resized image."""
    from skimage.transform import rescale

    if scale != 1.0:
        image = rescale(image, scale, channel_axis=2, anti_aliasing=True).astype(np.float32)
    h, w = image.shape[0] // patch, image.shape[1] // patch
    if h == 0 or w == 0:
        return np.zeros((0, 3, patch, patch), np.float32)
    cut = image[: h * patch, : w * patch]
    blocks = cut.reshape(h, patch, w, patch, 3).transpose(0, 2, 4, 1, 3)
    return np.ascontiguousarray(blocks.reshape(h * w, 3, patch, patch)).clip(0.0, 1.0)
