"""Image-quality metrics for image-to-image evaluations.

Each reports ``output`` (the enhanced images the model returned) and ``input`` (the degraded
images it received), so one run shows the gain: ``uiqm.output`` vs ``uiqm.input``. Full-
reference metrics (PSNR, SSIM, feature matches) compare with the clean target images.
"""

from __future__ import annotations

import math

import numpy as np
import torch

from robustkit import Evaluation
from robustkit.errors import DataError
from robustkit_underwater import uiqm as nr
from robustkit_underwater.params import FeatureMatchParams, UiqmParams
from robustkit_underwater.quality import psnr, ssim


def _images(t: torch.Tensor, ev: Evaluation, what: str) -> torch.Tensor:
    if t.dim() != 4 or t.shape[1] != 3:
        raise DataError(f"{what} needs RGB image outputs (N x 3 x H x W), got "
                        f"{tuple(t.shape)}; use it with an image-to-image model")
    lo, hi = ev.info.bounds
    return ((t.detach().float().cpu() - lo) / (hi - lo)).clamp(0, 1)


def _hwc(t: torch.Tensor) -> np.ndarray:
    return t.permute(0, 2, 3, 1).numpy()


class _PerImage:
    """Averages a per-image function over the outputs and over the inputs."""

    name = ""

    def per_image(self, out: torch.Tensor, ref: torch.Tensor) -> list[float]:
        raise NotImplementedError

    def compute(self, ev: Evaluation) -> dict[str, float]:
        if len(ev) == 0:
            return {"output": math.nan, "input": math.nan}
        ref = _images(ev.y_true, ev, self.name)
        result = {}
        for key, t in (("output", ev.outputs), ("input", ev.x)):
            values = self.per_image(_images(t, ev, self.name), ref)
            result[key] = float(np.mean(values))
        return result


class PSNR(_PerImage):
    name = "psnr"

    def __init__(self, params=None):
        pass

    def per_image(self, out, ref):
        return psnr(out, ref).clamp(max=100.0).tolist()  # identical images: capped, not inf


class SSIM(_PerImage):
    name = "ssim"

    def __init__(self, params=None):
        pass

    def per_image(self, out, ref):
        return ssim(out, ref, reduce=False).tolist()


class UIQM(_PerImage):
    name = "uiqm"

    def __init__(self, params: UiqmParams):
        self.block = params.block

    def per_image(self, out, ref):
        return [nr.uiqm(im, self.block) for im in _hwc(out)]


class Entropy(_PerImage):
    name = "entropy"

    def __init__(self, params=None):
        pass

    def per_image(self, out, ref):
        return [nr.entropy(im) for im in _hwc(out)]


def verified_matches(image: np.ndarray, reference: np.ndarray, p: FeatureMatchParams,
                     seed: int = 0) -> int:
    """ORB matches between two RGB images that a RANSAC similarity transform confirms."""
    from skimage.color import rgb2gray
    from skimage.feature import ORB, match_descriptors
    from skimage.measure import ransac
    from skimage.transform import SimilarityTransform, rescale

    found = []
    for im in (image, reference):
        gray = rgb2gray(im)
        if p.upsample > 1:
            gray = rescale(gray, p.upsample, order=1)
        orb = ORB(n_keypoints=p.keypoints, fast_threshold=p.fast_threshold)
        try:
            orb.detect_and_extract(gray)
        except (RuntimeError, IndexError, ValueError):  # no keypoint survived: no match
            return 0
        if len(orb.keypoints) == 0:
            return 0
        found.append((orb.keypoints, orb.descriptors))
    (k1, d1), (k2, d2) = found
    pairs = match_descriptors(d1, d2, cross_check=True)
    if len(pairs) < 3:
        return 0
    src, dst = k1[pairs[:, 0]][:, ::-1], k2[pairs[:, 1]][:, ::-1]
    model, inliers = ransac((src, dst), SimilarityTransform, min_samples=2,
                            residual_threshold=p.residual * p.upsample, max_trials=200,
                            rng=seed)
    return 0 if inliers is None else int(inliers.sum())


class FeatureMatches(_PerImage):
    name = "feature-matches"

    def __init__(self, params: FeatureMatchParams):
        self.params = params

    def per_image(self, out, ref):
        return [verified_matches(a, b, self.params)
                for a, b in zip(_hwc(out), _hwc(ref), strict=True)]
