"""The image-formation model and the perturbation built on it."""

import pytest
import torch
from robustkit_underwater.params import WATER_TRANSMITTANCE, WaterParams
from robustkit_underwater.perturbation import UnderwaterDegradation
from robustkit_underwater.water import attenuation, degrade
from uw_helpers import smooth_images

from robustkit import DataInfo, Modality, PerturbContext, Task
from robustkit.data import make_generator
from robustkit.errors import DataError


def test_attenuation_is_minus_log_of_the_tabulated_transmittance():
    beta = attenuation("II")
    ratio = torch.tensor(WATER_TRANSMITTANCE["II"])
    assert torch.allclose(torch.exp(-beta), ratio)
    assert beta[0] > beta[1] > beta[2]  # open ocean: red is lost first


def test_zero_severity_leaves_images_unchanged():
    x = smooth_images(4)
    assert torch.allclose(degrade(x, severity=0.0, water="III"), x)


def test_formation_model_matches_hand_computation_for_uniform_scene():
    # one image, no depth gradient: I = J t + B (1 - t), t = ratio ** d
    j = torch.full((1, 3, 4, 4), 0.5)
    gen = torch.Generator().manual_seed(0)
    out = degrade(j, severity=2.0, water="I", depth_gradient=0.0, generator=gen)
    gen = torch.Generator().manual_seed(0)
    jitter = 0.8 + 0.4 * torch.rand(1, generator=gen)
    torch.rand(1, generator=gen)  # the slope draw
    light = 0.6 + 0.4 * torch.rand(1, generator=gen)
    d = 2.0 * 1.5 * jitter
    ratio = torch.tensor(WATER_TRANSMITTANCE["I"])
    t = ratio ** d
    veil = ratio ** 5.0
    veil = light * veil / veil.max()
    expected = 0.5 * t + veil * (1 - t)
    assert torch.allclose(out[0, :, 0, 0], expected, atol=1e-5)


def test_deeper_water_loses_more_red_and_contrast():
    x = smooth_images(16)
    shallow = degrade(x, severity=1.0, water="II", generator=torch.Generator().manual_seed(1))
    deep = degrade(x, severity=5.0, water="II", generator=torch.Generator().manual_seed(1))
    err = lambda y: (y - x).abs().mean(dim=(0, 2, 3))  # noqa: E731
    assert (err(deep) > err(shallow)).all()
    # the red channel's contrast falls faster than the blue channel's
    std = lambda y: y.std(dim=(2, 3)).mean(0)  # noqa: E731
    assert std(deep)[0] / std(x)[0] < std(deep)[2] / std(x)[2]


def test_coastal_water_turns_images_yellow_ocean_water_blue():
    x = torch.full((8, 3, 8, 8), 0.5)
    ocean = degrade(x, severity=5.0, water="I", generator=torch.Generator().manual_seed(0))
    coastal = degrade(x, severity=5.0, water="9C", generator=torch.Generator().manual_seed(0))
    assert ocean[:, 2].mean() > ocean[:, 0].mean()
    assert coastal[:, 0].mean() > coastal[:, 2].mean()


def test_perturbation_respects_other_bounds_and_is_seeded():
    info = DataInfo(Task.CLASSIFICATION, Modality.IMAGE, (3, 16, 16), (-1.0, 1.0),
                    num_classes=2)
    x = smooth_images(6) * 2 - 1
    pert = UnderwaterDegradation(WaterParams(severity=4.0))

    def run(seed):
        ctx = PerturbContext(info=info, seed=seed, generator=make_generator(seed, "t"))
        return pert.perturb(x, torch.zeros(6), ctx)

    a, b, c = run(0), run(0), run(1)
    assert a.min() >= -1 and a.max() <= 1
    assert torch.equal(a, b) and not torch.equal(a, c)


def test_grey_images_are_a_monochrome_camera_and_other_channel_counts_refused():
    grey = smooth_images(4)[:, :1]
    a = degrade(grey, severity=3.0, water="II", generator=torch.Generator().manual_seed(0))
    rgb = degrade(grey.expand(-1, 3, -1, -1), severity=3.0, water="II",
                  generator=torch.Generator().manual_seed(0))
    luma = (rgb * torch.tensor([0.299, 0.587, 0.114]).view(1, 3, 1, 1)).sum(1, keepdim=True)
    assert a.shape == grey.shape and torch.allclose(a, luma, atol=1e-6)
    with pytest.raises(DataError, match="N x 3 x H x W.*color-digits"):
        degrade(torch.rand(2, 2, 8, 8), severity=1.0)
