"""Attack metrics on hand-built evaluations whose answers are known."""

import math

import torch
from robustkit_optim_attacks.metrics import (
    L2Distortion,
    LinfDistortion,
    QueriesPerSuccess,
    SuccessRate,
)

from robustkit import DataInfo, Modality, Task
from robustkit.data import Evaluation

INFO = DataInfo(Task.CLASSIFICATION, Modality.VECTOR, (4,), (0.0, 1.0), 3)


def _logits(labels):
    return torch.nn.functional.one_hot(torch.tensor(labels), 3).float() * 5


def _evaluation(extras=None):
    y = torch.tensor([0, 1, 2, 0])
    clean = _logits([0, 1, 2, 1])  # sample 3 was wrong before the attack: never counted
    after = _logits([1, 1, 0, 2])  # samples 0 and 2 fooled, sample 1 resisted
    x_clean = torch.zeros(4, 4)
    x = x_clean.clone()
    x[0] = torch.tensor([0.3, 0.4, 0.0, 0.0])  # L2 0.5, Linf 0.4
    x[1] = 0.05
    x[2] = torch.tensor([0.0, 0.0, 0.6, 0.8])  # L2 1.0, Linf 0.8
    x[3] = 0.9
    return Evaluation(y, after, x, x_clean, clean, INFO, extras or {})


def test_success_counts_only_originally_correct_samples():
    assert SuccessRate().compute(_evaluation()) == 2 / 3


def test_distortions_of_successes():
    ev = _evaluation()
    l2 = L2Distortion().compute(ev)
    assert math.isclose(l2["mean"], 0.75, rel_tol=1e-6) and math.isclose(l2["median"], 0.75,
                                                                          rel_tol=1e-6)
    linf = LinfDistortion().compute(ev)
    assert math.isclose(linf["mean"], 0.6, rel_tol=1e-6)
    assert math.isclose(linf["median"], 0.6, rel_tol=1e-6)


def test_queries_per_success():
    extras = {"queries": torch.tensor([100, 900, 300, 50]),
              "queries_to_success": torch.tensor([80.0, math.nan, 200.0, math.nan])}
    out = QueriesPerSuccess().compute(_evaluation(extras))
    assert out["mean"] == 140 and out["median"] == 140
    assert out["total-per-success"] == 1350 / 2


def test_undefined_values_are_nan_not_errors():
    assert all(math.isnan(v) for v in QueriesPerSuccess().compute(_evaluation()).values())
    clean = _evaluation()
    clean.outputs = clean.clean_outputs  # the clean row: nothing fooled
    assert SuccessRate().compute(clean) == 0
    assert all(math.isnan(v) for v in L2Distortion().compute(clean).values())
    empty = Evaluation(torch.zeros(0, dtype=torch.int64), torch.zeros(0, 3), torch.zeros(0, 4),
                       torch.zeros(0, 4), torch.zeros(0, 3), INFO)
    assert math.isnan(SuccessRate().compute(empty))
    assert all(math.isnan(v) for v in LinfDistortion().compute(empty).values())



def test_after_a_targeted_attack_success_means_reaching_the_target():
    # samples 0 and 2 are misclassified, but only sample 0 lands on its target
    ev = _evaluation({"target": torch.tensor([1, 2, 1, 1])})
    assert SuccessRate().compute(ev) == 1 / 3
