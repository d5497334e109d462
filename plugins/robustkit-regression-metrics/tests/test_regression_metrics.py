import math

import pytest
import torch
from robustkit_regression_metrics.metrics import MAE, MAPE, MSE, R2, RMSE

from robustkit import DataInfo, Modality, Task
from robustkit.data import Evaluation

INFO = DataInfo(Task.REGRESSION, Modality.VECTOR, (3,), (0.0, 1.0), output_dim=1)


def ev(pred, true):
    pred, true = torch.as_tensor(pred).reshape(-1, 1), torch.as_tensor(true).reshape(-1, 1)
    x = torch.zeros(len(true), 3)
    return Evaluation(true, pred, x, x, pred, INFO)


Y = [3.0, -0.5, 2.0, 7.0]
P = [2.5, 0.0, 2.0, 8.0]


def test_values_match_scikit_learns_documented_example():
    # the example in scikit-learn's docs: MSE 0.375, MAE 0.5, R2 0.948...
    e = ev(P, Y)
    assert MSE().compute(e) == pytest.approx(0.375)
    assert RMSE().compute(e) == pytest.approx(math.sqrt(0.375))
    assert MAE().compute(e) == pytest.approx(0.5)
    assert R2().compute(e) == pytest.approx(0.9486081370449679)
    assert MAPE().compute(e) == pytest.approx((0.5 / 3 + 0.5 / 0.5 + 0 + 1 / 7) / 4)


def test_a_perfect_prediction():
    e = ev(Y, Y)
    assert MSE().compute(e) == 0 and R2().compute(e) == 1


def test_width_mismatch_is_explained():
    x = torch.zeros(4, 3)
    bad = Evaluation(torch.zeros(4, 1), torch.zeros(4, 2), x, x, x, INFO)
    with pytest.raises(ValueError, match="output_dim must match"):
        MSE().compute(bad)


@pytest.mark.parametrize("metric", [MSE(), RMSE(), MAE(), MAPE(), R2()])
def test_empty_gives_nan(metric):
    assert math.isnan(metric.compute(ev([], [])))
