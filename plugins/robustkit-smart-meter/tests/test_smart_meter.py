"""Synthetic meter data, tampering types, the CSV loader's errors, and the 1-D CNN."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from robustkit_smart_meter import tampering
from robustkit_smart_meter.csv_loader import MeterCSV
from robustkit_smart_meter.model import MeterCNNBuilder
from robustkit_smart_meter.params import (
    COVERT,
    TRADITIONAL,
    MeterCNNParams,
    MeterCSVParams,
    SmartMeterParams,
)
from robustkit_smart_meter.synthetic import SmartMeter, honest_window

from robustkit import DataError, Task, TrainingConfig
from robustkit.trainer import Trainer, predict


def test_synthetic_is_seeded_bounded_and_balanced():
    p = SmartMeterParams(n_meters=120, days=10)
    a, b, c = SmartMeter(p).load(0), SmartMeter(p).load(0), SmartMeter(p).load(1)
    a.validate()
    assert torch.equal(a.x_train, b.x_train) and not torch.equal(a.x_train, c.x_train)
    assert a.x_train.shape[1:] == (10, 24) and a.info.num_classes == 2
    assert 0.3 < float(a.y_train.float().mean()) < 0.7
    assert len(a.extras["test_tampering"]) == len(a.y_test)


def test_households_differ_in_scale_and_follow_a_weekly_pattern():
    rng = np.random.default_rng(0)
    totals = [honest_window(rng, 28, 24).sum() for _ in range(200)]
    assert np.percentile(totals, 90) > 3 * np.percentile(totals, 10)


@pytest.mark.parametrize("kind", COVERT)
def test_covert_tampering_keeps_the_daily_total(kind):
    rng = np.random.default_rng(1)
    day = honest_window(rng, 1, 24)[0]
    out = tampering.TYPES[kind](day, rng)
    assert out.sum() == pytest.approx(day.sum(), rel=1e-9) and not np.allclose(out, day)


@pytest.mark.parametrize("kind", TRADITIONAL)
def test_traditional_tampering_lowers_the_bill(kind):
    rng = np.random.default_rng(2)
    window = honest_window(rng, 8, 24)
    out = tampering.apply(kind, window, 2, rng)
    assert np.array_equal(out[:2], window[:2])  # honest days before the start
    assert out[2:].sum() < 0.97 * window[2:].sum()


def write_csv(path, meters=3, days=6, bad=None):
    lines = ["meter_id,date," + ",".join(f"r{h:02d}" for h in range(4)) + ",label"]
    for m in range(meters):
        for d in range(days):
            vals = ",".join(f"{0.1 * (h + 1) + 0.01 * d:.3f}" for h in range(4))
            lines.append(f"m{m},2024-01-{d + 1:02d},{vals},{m % 2}")
    if bad:
        lines = bad(lines)
    path.write_text("\n".join(lines) + "\n")
    return str(path)


def test_csv_loader_builds_windows_split_by_meter(tmp_path):
    path = write_csv(tmp_path / "m.csv", meters=4, days=6)
    data = MeterCSV(MeterCSVParams(path=path, days=3, test_fraction=0.25)).load(0)
    data.validate()
    assert data.x_train.shape[1:] == (3, 4)
    assert data.x_train.shape[0] + data.x_test.shape[0] == 8  # 4 meters x 2 windows
    assert data.x_test.shape[0] == 2 and float(data.x_train.max()) == 1.0


def set_field(line, i, value):
    parts = line.split(",")
    parts[i] = value
    return ",".join(parts)


BAD = {
    "lacks column": lambda ls: [ls[0].replace(",label", "")] + [x.rsplit(",", 1)[0]
                                                               for x in ls[1:]],
    "is not a number": lambda ls: ls[:2] + [set_field(ls[2], 2, "abc")] + ls[3:],
    "negative reading": lambda ls: ls[:2] + [set_field(ls[2], 2, "-0.1")] + ls[3:],
    "remove or fill missing": lambda ls: ls[:2] + [set_field(ls[2], 2, "nan")] + ls[3:],
    "two rows for": lambda ls: ls + [ls[1]],
    "fields, the header has": lambda ls: ls[:3] + [ls[3].rsplit(",", 2)[0]] + ls[4:],
    "must be 0": lambda ls: ls[:2] + [ls[2][:-1] + "7"] + ls[3:],
    "is not YYYY-MM-DD": lambda ls: ls[:2] + [ls[2].replace("2024-01-02", "02/01/2024")]
                                    + ls[3:],
}


@pytest.mark.parametrize("needle", BAD)
def test_csv_loader_rejects_malformed_files(tmp_path, needle):
    path = write_csv(tmp_path / "bad.csv", bad=BAD[needle])
    with pytest.raises(DataError, match=needle) as err:
        MeterCSV(MeterCSVParams(path=path, days=3)).load(0)
    assert "bad.csv" in str(err.value)


def test_csv_loader_empty_missing_and_short_files(tmp_path):
    (tmp_path / "empty.csv").write_text("")
    with pytest.raises(DataError, match="empty"):
        MeterCSV(MeterCSVParams(path=str(tmp_path / "empty.csv"))).load(0)
    with pytest.raises(DataError, match="not found"):
        MeterCSV(MeterCSVParams(path=str(tmp_path / "nope.csv"))).load(0)
    with pytest.raises(DataError, match="consecutive days"):
        MeterCSV(MeterCSVParams(path=write_csv(tmp_path / "s.csv", days=2), days=3)).load(0)


def test_meter_cnn_detects_covert_tampering():
    data = SmartMeter(SmartMeterParams(n_meters=240, days=8, tampering="covert")).load(0)
    torch.manual_seed(0)
    net = MeterCNNBuilder(MeterCNNParams(width=16)).build(data.info)
    trainer = Trainer(TrainingConfig(epochs=15, lr=0.005, batch_size=32), Task.CLASSIFICATION, 0)
    net = trainer.fit(net, data.x_train, data.y_train)
    assert predict(net, data.x_test).shape == (len(data.y_test), 2)
    acc = float((predict(net, data.x_test).argmax(1) == data.y_test).float().mean())
    assert acc > 0.8
