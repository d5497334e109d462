import math

import pytest
import torch
from robustkit_classification_metrics.metrics import Accuracy, CalibrationError, MacroF1, RocAuc
from robustkit_classification_metrics.params import CalibrationParams, RocAucParams
from sklearn.metrics import f1_score

from robustkit import DataInfo, Modality, Task
from robustkit.data import Evaluation

INFO = DataInfo(Task.CLASSIFICATION, Modality.VECTOR, (2,), (0.0, 1.0), 3)


def ev(logits, y):
    logits, y = torch.as_tensor(logits, dtype=torch.float32), torch.as_tensor(y)
    x = torch.zeros(len(y), 2)
    return Evaluation(y, logits, x, x, logits, INFO)


ALL = [Accuracy(), MacroF1(), CalibrationError(CalibrationParams()), RocAuc(RocAucParams())]


def test_accuracy_and_macro_f1_agree_with_hand_and_sklearn():
    logits = torch.eye(3)[[0, 1, 2, 2, 1, 0]] * 5
    y = [0, 1, 2, 1, 1, 2]
    e = ev(logits, y)
    assert Accuracy().compute(e) == pytest.approx(4 / 6)
    assert MacroF1().compute(e) == pytest.approx(
        f1_score(y, [0, 1, 2, 2, 1, 0], average="macro"))


def test_calibration_error_is_zero_when_confidence_matches_accuracy_and_large_when_not():
    # confidence 1.0 everywhere and always right: perfectly calibrated
    right = ev(torch.eye(3)[[0, 1, 2]] * 100, [0, 1, 2])
    assert CalibrationError(CalibrationParams()).compute(right) == pytest.approx(0, abs=1e-6)
    # confidence ~1.0 and always wrong: ECE ~1
    wrong = ev(torch.eye(3)[[1, 2, 0]] * 100, [0, 1, 2])
    assert CalibrationError(CalibrationParams()).compute(wrong) == pytest.approx(1, abs=1e-6)


def test_roc_auc_perfect_ranking_is_one_and_reversed_is_zero():
    y = [0, 1, 2, 0, 1, 2]
    good = torch.eye(3)[y] * 3
    assert RocAuc(RocAucParams()).compute(ev(good, y)) == pytest.approx(1.0)
    assert RocAuc(RocAucParams()).compute(ev(-good, y)) == pytest.approx(0.0)


@pytest.mark.parametrize("metric", ALL, ids=lambda m: type(m).__name__)
def test_empty_evaluation_gives_nan(metric):
    assert math.isnan(metric.compute(ev(torch.zeros(0, 3), torch.zeros(0, dtype=torch.long))))
