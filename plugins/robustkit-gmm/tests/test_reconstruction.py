"""gmm-reconstruction: the clean part of an input under content + lighting + mixture noise."""

from __future__ import annotations

import pytest
import torch
from robustkit_gmm.params import ReconstructionParams
from robustkit_gmm.reconstruction import RobustReconstruction, lighting_basis

from robustkit.components import DataInfo, Modality, Task
from robustkit.data import DataBundle, DefenseContext
from robustkit.errors import DataError, PluginError

SHAPE = (1, 8, 8)


@pytest.fixture(scope="module")
def fitted_data():
    """scikit-learn's digits in [0, 1]: 1,500 to fit on, the rest held out."""
    from sklearn.datasets import load_digits

    x = torch.tensor(load_digits().data / 16.0, dtype=torch.float32).reshape(-1, *SHAPE)
    info = DataInfo(task=Task.CLASSIFICATION, modality=Modality.IMAGE, input_shape=SHAPE,
                    num_classes=10, bounds=(0.0, 1.0))
    y = torch.zeros(x.shape[0], dtype=torch.long)
    data = DataBundle(x[:1500], y[:1500], x[1500:], y[1500:], info)
    return data, DefenseContext(info=info, seed=0)


def _defense(data, ctx, **params):
    d = RobustReconstruction(ReconstructionParams(components=30, **params))
    d.fit(data, ctx)
    return d


def _lit(x: torch.Tensor) -> torch.Tensor:
    """Shade on one side and glare on the other, as a smooth field."""
    ramp = torch.linspace(0, 1, 8).repeat(8, 1)
    return x * (1 - 0.6 * (1 - ramp)) + 0.3 * ramp


def _error(data, ctx, x, clean, **params) -> float:
    return (_defense(data, ctx, **params).transform(x) - clean).abs().mean().item()


def test_modelling_the_lighting_brings_inputs_closer_to_the_clean_ones(fitted_data):
    data, ctx = fitted_data
    clean = data.x_test[:50]
    lit = _lit(clean)
    before = (lit - clean).abs().mean().item()
    err = {lighting: _error(data, ctx, lit, clean, lighting=lighting, noise="gaussian")
           for lighting in ("full", "additive", "none")}
    # each part of the lighting model removes some of the field; projection alone the least
    assert err["full"] < err["additive"] < err["none"] < before, (err, before)
    assert err["full"] < err["none"] - 0.015, err


def test_the_mixture_keeps_sparse_outliers_out_of_the_fit(fitted_data):
    data, ctx = fitted_data
    clean = data.x_test[:50]
    gen = torch.Generator().manual_seed(1)
    spots = torch.rand(clean.shape, generator=gen) < 0.1
    corrupted = torch.where(spots, torch.ones_like(clean), _lit(clean))
    err = {noise: _error(data, ctx, corrupted, clean, noise=noise)
           for noise in ("mixture", "gaussian")}
    assert err["mixture"] < 0.9 * err["gaussian"], err


def test_gradients_flow_through_the_transform(fitted_data):
    data, ctx = fitted_data
    x = data.x_test[:4].clone().requires_grad_(True)
    _defense(data, ctx).transform(x).sum().backward()
    assert x.grad is not None and torch.isfinite(x.grad).all() and x.grad.abs().sum() > 0


def test_bad_use_is_refused_with_the_fix(fitted_data):
    data, ctx = fitted_data
    with pytest.raises(PluginError, match="before fit"):
        RobustReconstruction(ReconstructionParams()).transform(data.x_test)
    with pytest.raises(DataError, match="components <= 64"):
        RobustReconstruction(ReconstructionParams(components=65)).fit(data, ctx)
    with pytest.raises(DataError, match=r"fitted on inputs of shape \(1, 8, 8\)"):
        _defense(data, ctx).transform(torch.rand(2, 1, 4, 4))


def test_lighting_planes_are_per_channel():
    basis = lighting_basis((3, 4, 5))
    assert basis.shape == (60, 9)
    assert basis[:20, 3:].abs().sum() == 0  # channel 0 values see only channel 0's planes
    assert lighting_basis((7,)).shape == (7, 1)
