"""What pca-projection claims: it removes noise off the data's subspace, keeps inputs in the
span unchanged, and refuses impossible settings with a clear message."""

import pytest
import torch
from robustkit import DataInfo, Modality, Task
from robustkit.data import DataBundle, DefenseContext
from robustkit.errors import DataError, PluginError

from robustkit_pca_defense.params import PCAProjectionParams
from robustkit_pca_defense.projection import PCAProjection

INFO = DataInfo(Task.CLASSIFICATION, Modality.IMAGE, (1, 6, 6), (0.0, 1.0), 2)


def low_rank_data(n: int, rank: int = 3, seed: int = 0) -> torch.Tensor:
    """Images that lie on a rank-3 affine subspace, inside [0.2, 0.8]."""
    gen = torch.Generator().manual_seed(seed)
    basis = torch.rand(rank, 36, generator=gen) - 0.5
    codes = torch.rand(n, rank, generator=gen) * 0.4
    return (0.5 + codes @ basis * 0.5).reshape(n, 1, 6, 6)


def fitted(components: int, x: torch.Tensor) -> PCAProjection:
    y = torch.zeros(x.shape[0], dtype=torch.long)
    defense = PCAProjection(PCAProjectionParams(components=components))
    defense.fit(DataBundle(x, y, x[:4], y[:4], INFO), DefenseContext(INFO, seed=0))
    return defense


def test_inputs_in_the_span_come_back_unchanged():
    x = low_rank_data(200)
    defense = fitted(3, x)
    assert torch.allclose(defense.transform(x[:20]), x[:20], atol=1e-5)


def test_noise_off_the_subspace_is_mostly_removed():
    x = low_rank_data(200)
    noise = 0.05 * torch.randn(x.shape, generator=torch.Generator().manual_seed(1))
    restored = fitted(3, x).transform((x + noise).clamp(0, 1))
    before = (x + noise - x).norm()
    after = (restored - x).norm()
    assert after < 0.4 * before  # 3 of 36 dimensions kept: most of the noise is gone


def test_output_stays_in_bounds_and_gradients_flow():
    x = low_rank_data(200)
    defense = fitted(3, x)
    wild = torch.rand(8, 1, 6, 6).requires_grad_(True)
    out = defense.transform(wild)
    assert out.min() >= 0 and out.max() <= 1
    out.sum().backward()
    assert wild.grad is not None and wild.grad.abs().sum() > 0


def test_impossible_settings_are_refused_clearly():
    with pytest.raises(DataError, match="choose components <= 36"):
        fitted(40, low_rank_data(200))
    with pytest.raises(PluginError, match="before fit"):
        PCAProjection(PCAProjectionParams()).transform(torch.rand(2, 1, 6, 6))
