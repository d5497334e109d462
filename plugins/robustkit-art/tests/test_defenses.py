"""ART's squeezers as input-transform defenses: what they compute, and that they are refused
to gradient attacks (no gradient flows through NumPy) with the reason."""

from __future__ import annotations

import pytest
import torch

from robustkit import IncompatibleError, Pipeline
from robustkit.components import Kind
from robustkit.errors import DataError
from robustkit.plugins import get_registry


def _defense(name, **params):
    return get_registry().get(Kind.DEFENSE, name).build(params)


def test_feature_squeezing_rounds_to_the_bit_depth():
    x = torch.tensor([[0.0, 0.2, 0.49, 0.51, 0.8, 1.0]])
    assert torch.equal(_defense("art-feature-squeezing", bit_depth=1).transform(x),
                       torch.tensor([[0.0, 0.0, 0.0, 1.0, 1.0, 1.0]]))
    two = _defense("art-feature-squeezing", bit_depth=2).transform(x)
    levels = torch.tensor([0.0, 1 / 3, 2 / 3, 1.0])
    assert bool(((two.flatten()[:, None] - levels).abs().min(1).values < 1e-6).all())


def test_spatial_smoothing_is_a_median_filter_on_images():
    x = torch.zeros(1, 1, 5, 5)
    x[0, 0, 2, 2] = 1.0  # one outlier: a 3x3 median removes it
    out = _defense("art-spatial-smoothing", window_size=3).transform(x)
    assert out.shape == x.shape and float(out.abs().max()) == 0.0
    with pytest.raises(DataError, match="not images"):
        _defense("art-spatial-smoothing").transform(torch.zeros(2, 4))


def test_gradient_attacks_are_refused_at_validation(tmp_path):
    cfg = Pipeline(dataset="digits", model="mlp", defenses=["art-feature-squeezing"],
                   perturbations=[{"name": "fgsm", "eps": 0.1}], store=tmp_path / "r.db")
    with pytest.raises(IncompatibleError, match="not differentiable"):
        cfg.run()
