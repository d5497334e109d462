"""robustkit-timeseries next to the other plugins: the classification attacks are refused on a
forecasting pipeline with a clear message, and the regression attack runs in their place."""

import pytest

from robustkit import Pipeline
from robustkit.errors import IncompatibleError


def _pipeline(tmp_path, attack):
    return Pipeline(dataset={"name": "mackey-glass", "params": {"length": 400, "window": 12}},
                    model={"name": "narx", "params": {"hidden": 8, "denoise": False}},
                    perturbations=[attack], metrics=["rmse"], training={"epochs": 3},
                    store=tmp_path / "r.db")


def test_classification_fgsm_is_refused_on_forecasting(tmp_path):
    with pytest.raises(IncompatibleError, match="fgsm"):
        _pipeline(tmp_path, {"name": "fgsm", "eps": 0.02}).run()


def test_ts_fgsm_raises_the_forecast_error(tmp_path):
    r = _pipeline(tmp_path, {"name": "ts-fgsm", "eps": [0.0, 0.05]}).run()
    assert r.value("rmse", "ts-fgsm[eps=0.05]") > r.value("rmse", "ts-fgsm[eps=0]")
