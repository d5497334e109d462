"""The metric components on evaluations built by hand."""

import math

import pytest
import torch
from robustkit_underwater import metrics as mt
from robustkit_underwater.params import FeatureMatchParams, UiqmParams
from robustkit_underwater.quality import psnr
from robustkit_underwater.water import degrade
from uw_helpers import smooth_images

from robustkit import DataInfo, Evaluation, Modality, Task
from robustkit.errors import DataError

INFO = DataInfo(Task.IMAGE_TO_IMAGE, Modality.IMAGE, (3, 48, 48), output_dim=3)


def _ev(out, x, y):
    return Evaluation(y, out, x, x, out, INFO)


def _scene(n=4, size=48):
    clean = smooth_images(n, size, seed=7)
    murky = degrade(clean, severity=4.0, water="III",
                    generator=torch.Generator().manual_seed(0))
    return clean, murky


def test_every_metric_reports_output_and_input():
    clean, murky = _scene()
    ev = _ev(clean, murky, clean)  # a perfect enhancer
    for metric in (mt.PSNR(), mt.SSIM(), mt.UIQM(UiqmParams()), mt.Entropy(),
                   mt.FeatureMatches(FeatureMatchParams())):
        v = metric.compute(ev)
        assert set(v) == {"output", "input"}
        assert v["output"] > v["input"], metric.name


def test_psnr_metric_is_the_mean_of_per_image_values_and_caps_identity():
    clean, murky = _scene()
    v = mt.PSNR().compute(_ev(murky, murky, clean))
    assert v["output"] == pytest.approx(float(psnr(murky, clean).mean()), rel=1e-6)
    assert mt.PSNR().compute(_ev(clean, clean, clean))["output"] == 100.0


def test_empty_evaluation_gives_nan():
    e = torch.zeros(0, 3, 48, 48)
    v = mt.UIQM(UiqmParams()).compute(_ev(e, e, e))
    assert math.isnan(v["output"]) and math.isnan(v["input"])


def test_feature_matches_count_verified_correspondences():
    clean, murky = _scene(1, 64)
    img = clean[0].permute(1, 2, 0).numpy()
    p = FeatureMatchParams()
    same = mt.verified_matches(img, img, p)
    noise = torch.rand(64, 64, 3, generator=torch.Generator().manual_seed(0)).numpy()
    assert same >= 10
    assert mt.verified_matches(noise, img, p) < same / 3


def test_classifier_outputs_are_refused_with_a_fix():
    y = torch.rand(4, 3, 48, 48)
    ev = Evaluation(y, torch.rand(4, 10), y, y, torch.rand(4, 10), INFO)
    with pytest.raises(DataError, match="image-to-image model"):
        mt.SSIM().compute(ev)
