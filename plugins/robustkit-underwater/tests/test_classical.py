"""The classical baselines do what their papers claim on cases built to show it."""

import numpy as np
import pytest
import torch
from robustkit_underwater import classical as c
from robustkit_underwater.params import ClaheParams, DarkChannelParams
from uw_helpers import rgb_classification, smooth_images

from robustkit import DefenseContext
from robustkit.errors import DataError


def _img(seed=0, size=32):
    return smooth_images(1, size, seed)[0].permute(1, 2, 0).numpy().astype(np.float64)


def test_gray_world_equalises_channel_means():
    img = _img() * np.array([1.0, 0.6, 0.3])  # a strong colour cast
    out = c.gray_world(img)
    means = out.reshape(-1, 3).mean(0)
    assert np.ptp(means) < 0.02 * means.mean()
    assert np.ptp(img.reshape(-1, 3).mean(0)) > 0.2


def test_dark_channel_prior_removes_synthetic_haze():
    clean = _img(1, 48)
    clean[::6, :] = 0.0  # dark pixels: what the prior expects of haze-free scenes
    t, airlight = 0.4, np.array([0.8, 0.85, 0.9])
    hazy = clean * t + airlight * (1 - t)
    out = c.dark_channel_prior(hazy, window=5, omega=0.95)
    assert np.abs(out - clean).mean() < 0.5 * np.abs(hazy - clean).mean()


def test_clahe_raises_local_contrast_of_a_flat_image():
    img = 0.45 + 0.1 * _img(2, 64)
    out = c.clahe(img, clip_limit=0.02, kernel_fraction=0.25)
    assert out.std() > 2 * img.std()
    assert out.min() >= 0 and out.max() <= 1


@pytest.mark.parametrize("cls,params", [(c.GrayWorldTransform, None),
                                        (c.ClaheTransform, ClaheParams()),
                                        (c.DarkChannelTransform, DarkChannelParams())])
def test_transforms_keep_shape_bounds_and_refuse_grayscale(cls, params):
    data = rgb_classification(0)
    defense = cls(params)
    defense.fit(data, DefenseContext(info=data.info, seed=0))
    out = defense.transform(data.x_test)
    assert out.shape == data.x_test.shape and out.min() >= 0 and out.max() <= 1
    with pytest.raises(DataError, match="N x 3 x H x W"):
        defense.transform(torch.rand(2, 2, 8, 8))
    grey = defense.transform(data.x_test[:, :1])  # a monochrome camera: grey in, grey out
    assert grey.shape == data.x_test[:, :1].shape and grey.min() >= 0 and grey.max() <= 1


def test_model_form_has_no_parameters_and_the_trainer_skips_it():
    from robustkit import Task, TrainingConfig
    from robustkit.trainer import Trainer

    net = c.GrayWorldModel().build(None)
    assert not list(net.parameters())
    x = smooth_images(4)
    trained = Trainer(TrainingConfig(epochs=3), Task.IMAGE_TO_IMAGE, seed=0).fit(net, x, x)
    assert trained is net and not trained.training
    assert torch.allclose(trained(x), c.apply_batch(c.gray_world, x))
