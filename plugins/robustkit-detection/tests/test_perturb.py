"""Detection perturbations on the tiny trained detector: each lowers mAP@0.5, stays in bounds
and (for the attack) in budget."""

import pytest
import torch
from robustkit_detection.metrics import MAP50
from robustkit_detection.params import (
    DetectionMetricParams,
    DetectionPGDParams,
    LightingParams,
    OcclusionParams,
)
from robustkit_detection.perturb import DetectionPGD, LightingChange, OcclusionPatches

from robustkit.data import PerturbContext, make_generator
from robustkit.errors import PluginError


def ctx(data, model=None, seed=0):
    return PerturbContext(info=data.info, seed=seed, generator=make_generator(seed, "t"),
                          model=model)


def map50(model, data, evaluate, x=None):
    return MAP50(DetectionMetricParams()).compute(evaluate(model, data, x))


@pytest.mark.slow
def test_pgd_on_the_detection_loss_lowers_map_within_budget(data, trained, evaluate):
    eps = 8 / 255
    x = data.x_test
    adv = DetectionPGD(DetectionPGDParams(eps=eps, steps=5)).perturb(x, data.y_test,
                                                                     ctx(data, trained))
    assert (adv - x).abs().max() <= eps + 1e-6 and adv.min() >= 0 and adv.max() <= 1
    gen = torch.Generator().manual_seed(0)
    noise = (x + eps * torch.sign(torch.randn(x.shape, generator=gen))).clamp(0, 1)
    clean, noisy, attacked = (map50(trained, data, evaluate, v) for v in (x, noise, adv))
    assert attacked < 0.5 * clean, (clean, attacked)
    assert attacked < noisy - 0.1, (noisy, attacked)  # gradients beat random signs


def test_pgd_refuses_a_model_without_a_detection_loss(data):
    with pytest.raises(PluginError, match="training_loss"):
        DetectionPGD(DetectionPGDParams()).perturb(data.x_test[:2], data.y_test[:2],
                                                   ctx(data, torch.nn.Identity()))


@pytest.mark.slow
def test_occlusion_covers_objects_and_lowers_map(data, trained, evaluate):
    pert = OcclusionPatches(OcclusionParams(severity=5))
    x = data.x_test
    out = pert.perturb(x, data.y_test, ctx(data))
    changed = (out != x).any(1)
    side = round(0.16 * 32)
    assert int(changed.flatten(1).sum(1).max()) <= 6 * side * side
    assert map50(trained, data, evaluate, out) < map50(trained, data, evaluate) - 0.1


@pytest.mark.slow
def test_lighting_change_stays_in_bounds_and_lowers_map(data, trained, evaluate):
    x = data.x_test
    mild = LightingChange(LightingParams(severity=1)).perturb(x, data.y_test, ctx(data))
    harsh = LightingChange(LightingParams(severity=5)).perturb(x, data.y_test, ctx(data))
    assert 0 <= float(harsh.min()) and float(harsh.max()) <= 1
    assert (harsh - x).abs().mean() > (mild - x).abs().mean()
    assert map50(trained, data, evaluate, harsh) < map50(trained, data, evaluate) - 0.05
