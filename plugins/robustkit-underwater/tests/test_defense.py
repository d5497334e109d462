"""The enhancer as an input transform: it learns on the classifier's own inputs and brings
underwater inputs back towards them."""

import pytest
import torch
from robustkit_underwater.defense import UnderwaterEnhancerDefense, training_pairs
from robustkit_underwater.params import EnhancerDefenseParams
from robustkit_underwater.water import degrade
from uw_helpers import rgb_classification

from robustkit import DefenseContext


def test_training_pairs_leave_the_clean_share_unchanged():
    x = torch.rand(200, 3, 8, 8)
    p = EnhancerDefenseParams(clean_fraction=0.3, variants=2)
    murky, clean = training_pairs(x, p, seed=0)
    assert murky.shape == clean.shape == (400, 3, 8, 8)
    same = (murky - clean).flatten(1).abs().amax(1) < 1e-6
    assert 0.2 < float(same.float().mean()) < 0.4


@pytest.mark.slow
def test_enhancer_defense_restores_degraded_inputs_on_other_bounds():
    data = rgb_classification(0, size=8)
    lo, hi = -1.0, 1.0
    data.x_train, data.x_test = data.x_train * 2 - 1, data.x_test * 2 - 1
    data.info = type(data.info)(**{**data.info.__dict__, "bounds": (lo, hi)})
    defense = UnderwaterEnhancerDefense(EnhancerDefenseParams(epochs=15, lr=0.01, variants=2,
                                                              growth=6, layers=2,
                                                              batch_size=64))
    defense.fit(data, DefenseContext(info=data.info, seed=0))
    unit = (data.x_test + 1) / 2
    murky = degrade(unit, severity=4.0, generator=torch.Generator().manual_seed(3)) * 2 - 1
    with torch.no_grad():
        restored = defense.transform(murky)
    assert restored.min() >= lo and restored.max() <= hi
    before = (murky - data.x_test).abs().mean()
    after = (restored - data.x_test).abs().mean()
    assert after < 0.75 * before  # measured: 0.67
    assert defense.history[-1] < defense.history[0]


def test_a_second_identical_fit_reuses_the_weights_and_grey_inputs_work():
    data = rgb_classification(1, size=8)
    data.x_train, data.x_test = data.x_train[:, :1], data.x_test[:, :1]  # grey camera
    data.info = type(data.info)(**{**data.info.__dict__, "input_shape": (1, 8, 8)})
    p = EnhancerDefenseParams(epochs=2, growth=4, layers=1)
    first, second = UnderwaterEnhancerDefense(p), UnderwaterEnhancerDefense(p)
    first.fit(data, DefenseContext(info=data.info, seed=0))
    second.fit(data, DefenseContext(info=data.info, seed=0))
    x = data.x_test[:4]
    with torch.no_grad():
        assert torch.equal(first.transform(x), second.transform(x))
        assert first.transform(x).shape == x.shape
    assert second.history == first.history and len(first.history) == 2
