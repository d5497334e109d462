"""corruption-error and the mCE computed from two sets of stored rows."""

from __future__ import annotations

import math

import pytest
import torch
from robustkit_corruptions.metrics import CorruptionError, corruption_errors

from robustkit import DataError, DataInfo, Modality, Task
from robustkit.data import Evaluation
from robustkit.store import MetricRow


def _row(label, pert, severity, value, metric="corruption-error"):
    return MetricRow(label, pert, {} if severity is None else {"severity": severity},
                     severity, metric, value)


def _result(clean, errors):
    rows = [_row("clean", "clean", None, clean)]
    for (name, s), e in errors.items():
        rows.append(_row(f"{name}[severity={s}]", name, float(s), e))
    return rows


def test_metric_is_top1_error():
    info = DataInfo(Task.CLASSIFICATION, Modality.IMAGE, (1, 2, 2), (0, 1), 3)
    out = torch.tensor([[3.0, 0, 0], [0, 3.0, 0], [0, 0, 3.0], [3.0, 0, 0]])
    y = torch.tensor([0, 1, 1, 2])
    x = torch.zeros(4, 1, 2, 2)
    assert CorruptionError().compute(Evaluation(y, out, x, x, out, info)) == pytest.approx(0.5)
    empty = Evaluation(y[:0], out[:0], x[:0], x[:0], out[:0], info)
    assert math.isnan(CorruptionError().compute(empty))


def test_mce_against_a_baseline():
    base = _result(0.1, {("fog", 1): 0.2, ("fog", 5): 0.6, ("jpeg", 1): 0.3, ("jpeg", 5): 0.5})
    mine = _result(0.05, {("fog", 1): 0.1, ("fog", 5): 0.3, ("jpeg", 1): 0.3, ("jpeg", 5): 0.5})
    out = corruption_errors(mine, base)
    assert out["ce"] == pytest.approx({"fog": 0.5, "jpeg": 1.0})
    assert out["mce"] == pytest.approx(0.75)
    # relative: fog (0.05 + 0.25) / (0.1 + 0.5); jpeg (0.25 + 0.45) / (0.2 + 0.4)
    assert out["relative_ce"]["fog"] == pytest.approx(0.3 / 0.6)
    assert out["relative_ce"]["jpeg"] == pytest.approx(0.7 / 0.6)


def test_accuracy_rows_work_too():
    base = [_row("clean", "clean", None, 0.9, "accuracy"), _row("fog[s=5]", "fog", 5.0, 0.5,
                                                                  "accuracy")]
    mine = [_row("clean", "clean", None, 0.9, "accuracy"), _row("fog[s=5]", "fog", 5.0, 0.75,
                                                                  "accuracy")]
    assert corruption_errors(mine, base, metric="accuracy")["mce"] == pytest.approx(0.5)


def test_mismatched_results_are_refused():
    base = _result(0.1, {("fog", 1): 0.2})
    mine = _result(0.1, {("jpeg", 1): 0.2})
    with pytest.raises(DataError, match="share no corruption"):
        corruption_errors(mine, base)
    with pytest.raises(DataError, match="no 'corruption-error' values"):
        corruption_errors([], base)
    with pytest.raises(DataError, match="makes no error"):
        corruption_errors(_result(0.1, {("fog", 1): 0.2}), _result(0.0, {("fog", 1): 0.0}))
