"""The speech components through the kernel's Pipeline (only the kernel and this plugin)."""

import math

import pytest

from robustkit import Pipeline
from robustkit.errors import ConfigError


def _pipeline(tmp_path, **kw):
    base = dict(
        dataset={"name": "synthetic-phones", "n_train": 24, "n_test": 12, "n_phones": 8,
                 "n_words": 10},
        model={"name": "dblstm", "hidden": 8, "layers": 1},
        metrics=["frame-error-rate", "phone-error-rate", "word-error-rate"],
        training={"epochs": 2, "lr": 0.02, "batch_size": 8}, threads=1, cache=False,
        store=tmp_path / "r.db")
    base.update(kw)
    return Pipeline(**base)


def test_pipeline_rows(tmp_path):
    result = _pipeline(
        tmp_path, defenses=[{"name": "weight-noise", "sigma": 0.05}],
        perturbations=[{"name": "feature-noise", "snr_db": [20, 0]}, "speaking-rate"],
    ).run()
    clean_fer = result.value("frame-error-rate", "clean")
    assert 0 <= clean_fer <= 1
    # a time stretch moves frames away from their labels: FER is stored as undefined
    assert result.value("frame-error-rate", "speaking-rate") is None
    per = {label: result.value("phone-error-rate", label)
           for label in ("clean", "feature-noise[snr_db=20]", "feature-noise[snr_db=0]")}
    assert all(v is not None and math.isfinite(v) for v in per.values())
    assert per["feature-noise[snr_db=0]"] >= per["feature-noise[snr_db=20]"] - 0.05


def test_bad_params_fail_before_training(tmp_path):
    with pytest.raises(ConfigError, match="snr_db"):
        _pipeline(tmp_path, perturbations=[{"name": "feature-noise", "snr_db": 99}]).run()
