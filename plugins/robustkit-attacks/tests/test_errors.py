"""Bad models, inputs and params give clear robustkit errors, never a silent number."""

from __future__ import annotations

import pytest
import torch
from robustkit_attacks import PGD, NoGradientError, fgsm, mim, pgd
from torch import nn

from robustkit.errors import DataError, IncompatibleError, ParamsError


class ArgmaxModel(nn.Module):
    """Outputs one-hot predictions: no gradient path at all."""

    def __init__(self, inner: nn.Module):
        super().__init__()
        self.inner = inner

    def forward(self, x):
        return nn.functional.one_hot(self.inner(x).argmax(1), 10).float()


class QuantisedInput(nn.Module):
    """A non-differentiable defense: rounding the input (gradient exactly zero)."""

    def __init__(self, inner: nn.Module):
        super().__init__()
        self.inner = inner

    def forward(self, x):
        return self.inner(torch.round(x * 4) / 4)


class IntegerModel(nn.Module):
    def __init__(self, inner: nn.Module):
        super().__init__()
        self.inner = inner

    def forward(self, x):
        return self.inner(x).argmax(1, keepdim=True).expand(-1, 10)


@pytest.mark.parametrize("wrap", [ArgmaxModel, QuantisedInput, IntegerModel])
@pytest.mark.parametrize("early_stop", [False, True])
def test_model_without_gradient_path_is_refused(cnn, image_data, wrap, early_stop):
    _, _, x, y = image_data
    with pytest.raises(NoGradientError, match="gradient"):
        pgd(wrap(cnn), x, y, eps=0.1, early_stop=early_stop)
    assert issubclass(NoGradientError, IncompatibleError)


def test_no_gradient_error_names_the_fix(cnn, image_data):
    _, _, x, y = image_data
    with pytest.raises(NoGradientError) as info:
        fgsm(ArgmaxModel(cnn), x, y, eps=0.1)
    assert "score-based attack" in str(info.value)


@pytest.mark.parametrize("kwargs, field", [
    ({"eps": -0.1}, "eps"), ({"eps": 0.1, "steps": 0}, "steps"),
    ({"eps": 0.1, "norm": "l1"}, "norm"), ({"eps": 0.1, "alpha": 0}, "alpha"),
    ({"eps": 0.1, "restarts": 0}, "restarts"), ({"eps": 0.1, "mode": "fast"}, "mode"),
    ({"eps": 0.1, "bogus": 1}, "bogus"),
])
def test_bad_params_are_params_errors(kwargs, field):
    with pytest.raises(ParamsError, match=field):
        PGD(**kwargs)


def test_bad_functional_arguments(cnn, image_data):
    _, _, x, y = image_data
    with pytest.raises(ParamsError, match="decay"):
        mim(cnn, x, y, eps=0.1, decay=-1)
    with pytest.raises(ParamsError, match="bounds"):
        pgd(cnn, x, y, eps=0.1, bounds=(1, 0))


def test_bad_inputs_are_data_errors(cnn, image_data):
    _, _, x, y = image_data
    with pytest.raises(DataError, match="outside the bounds"):
        pgd(cnn, x * 3, y, eps=0.1)
    bad = x.clone()
    bad[0, 0, 0, 0] = float("nan")
    with pytest.raises(DataError, match="NaN"):
        pgd(cnn, bad, y, eps=0.1)
    with pytest.raises(DataError, match="labels must have shape"):
        pgd(cnn, x, y[:-1], eps=0.1)
    with pytest.raises(DataError, match="classes"):
        pgd(cnn, x, y + 10, eps=0.1)
    with pytest.raises(DataError, match="integer"):
        pgd(cnn, x, y.float(), eps=0.1)
