"""Chaotic systems, noise at an SNR, windowing, gaps and the CSV loader."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from robustkit_timeseries import systems
from robustkit_timeseries.csv_series import read_series
from robustkit_timeseries.windows import fill_gaps, make_windows

from robustkit import get_registry
from robustkit.components import Kind
from robustkit.errors import DataError, ParamsError


def _dataset(name, **params):
    return get_registry().get(Kind.DATASET, name).build(params)


def test_mackey_glass_is_seeded_and_on_the_attractor():
    a = systems.mackey_glass(500, 0)
    b = systems.mackey_glass(500, 0)
    c = systems.mackey_glass(500, 1)
    assert a.shape == (500,)
    np.testing.assert_array_equal(a, b)
    assert not np.allclose(a, c)
    # the tau=17 attractor stays within about [0.2, 1.4] and keeps moving (not a fixed point)
    assert 0.2 < a.min() < 0.6 and 1.1 < a.max() < 1.45
    assert a.std() > 0.15


def test_mackey_glass_step_refinement_agrees():
    # RK4 at dt=0.1 and dt=0.05 follow the same trajectory over the first samples
    coarse = systems.mackey_glass(60, 3, dt=0.1, transient=0)
    fine = systems.mackey_glass(60, 3, dt=0.05, transient=0)
    assert np.abs(coarse[:40] - fine[:40]).max() < 1e-3


def test_mackey_glass_rejects_a_step_that_does_not_divide_the_delay():
    with pytest.raises(ParamsError, match="must divide tau"):
        systems.mackey_glass(10, 0, dt=0.3)


def test_lorenz_and_rossler_are_chaotic_and_seeded():
    lz = systems.lorenz(400, 0)
    assert lz.shape == (400, 3) and np.isfinite(lz).all()
    assert (lz[:, 0] > 5).any() and (lz[:, 0] < -5).any()  # visits both wings
    rs = systems.rossler(400, 0)
    assert rs.shape == (400, 3) and rs[:, 0].std() > 2
    assert not np.allclose(systems.lorenz(50, 0), systems.lorenz(50, 1))


def test_observation_noise_realises_the_snr():
    clean = np.sin(np.linspace(0, 200, 50_000))[:, None] * 3.0
    noise = systems.observation_noise(clean, 20.0, np.random.default_rng(0))
    snr = 10 * np.log10(clean.var() / noise.var())
    assert abs(snr - 20.0) < 0.1


def test_windows_hold_the_past_and_the_next_values():
    series = np.arange(20, dtype=float)[:, None] * np.array([[1.0, 10.0]])
    x, y = make_windows(series, series[:, [1]], window=4, horizon=2)
    assert x.shape == (15, 4, 2) and y.shape == (15, 2)
    np.testing.assert_array_equal(x[3, :, 0], [3, 4, 5, 6])
    np.testing.assert_array_equal(y[3], [70, 80])


def test_windows_refuse_a_series_too_short():
    with pytest.raises(DataError, match="too short"):
        make_windows(np.zeros(5), np.zeros(5), window=4, horizon=3)


def test_dataset_bundle_is_chronological_scaled_and_valid():
    data = _dataset("mackey-glass", length=400, window=16, horizon=2).load(0)
    data.validate("mackey-glass")
    assert data.x_train.shape[1:] == (16, 1) and data.y_train.shape[1] == 2
    assert data.info.extra["target_index"] == [0] and data.info.extra["horizon"] == 2
    # minmax fitted on the training part of the noisy series
    assert float(data.x_train.min()) == pytest.approx(0.0, abs=1e-6)
    assert float(data.x_train.max()) == pytest.approx(1.0, abs=1e-6)
    # targets_clean: targets are the noise-free values, inputs the noisy ones
    noisy = _dataset("mackey-glass", length=400, window=16, targets_clean=False).load(0)
    clean = _dataset("mackey-glass", length=400, window=16).load(0)
    assert not torch.allclose(noisy.y_train, clean.y_train)
    torch.testing.assert_close(noisy.x_train, clean.x_train)


def test_lorenz_component_and_inputs_choice():
    data = _dataset("lorenz", length=300, window=8, target="z", inputs="all").load(0)
    assert data.x_train.shape[1:] == (8, 3) and data.info.extra["target_index"] == [2]
    one = _dataset("lorenz", length=300, window=8, target="z", inputs="target").load(0)
    assert one.x_train.shape[1:] == (8, 1) and one.info.extra["target_index"] == [0]


def test_drift_makes_the_test_part_leave_the_training_range():
    flat = _dataset("mackey-glass", length=1000, snr_db=None, scale="none").load(0)
    drifting = _dataset("mackey-glass", length=1000, snr_db=None, drift=2.0,
                        scale="none").load(0)
    # a ramp to 2 std (about 0.45) over the series: the test part sits ~0.4 higher, the
    # start of the training part hardly moves
    assert float(drifting.x_test.mean() - flat.x_test.mean()) > 0.35
    assert float((drifting.x_train[:50] - flat.x_train[:50]).abs().max()) < 0.05


def test_gaps_are_refused_with_the_first_index_unless_filled():
    series = np.array([[1.0, 5.0], [2.0, np.nan], [np.nan, 7.0], [4.0, 8.0]])
    with pytest.raises(DataError, match="index 1, column b"):
        fill_gaps(series, "none", columns=["a", "b"])
    lin = fill_gaps(series, "linear")
    np.testing.assert_allclose(lin, [[1, 5], [2, 6], [3, 7], [4, 8]])
    hold = fill_gaps(series, "hold")
    np.testing.assert_allclose(hold, [[1, 5], [2, 5], [2, 7], [4, 8]])


def _csv(tmp_path, text):
    path = tmp_path / "series.csv"
    path.write_text(text)
    return path


def test_csv_series_loads_with_a_timestamp(tmp_path):
    rows = "\n".join(f"2024-01-{i % 28 + 1:02d},{np.sin(i / 5):.5f},{i}" for i in range(120))
    path = _csv(tmp_path, "time,load,temp\n" + rows + "\n")
    data = _dataset("csv-series", path=str(path), timestamp="time", target="load",
                    window=10).load(0)
    data.validate("csv-series")
    assert data.x_train.shape[1:] == (10, 2)
    assert data.info.extra["columns"] == ["load", "temp"]


def test_csv_series_refuses_a_gap_naming_the_index_and_fills_on_request(tmp_path):
    values = [str(v) for v in np.linspace(0, 1, 60)]
    values[7] = ""
    path = _csv(tmp_path, "v\n" + "\n".join(values) + "\n")
    with pytest.raises(DataError, match="index 7, column v"):
        _dataset("csv-series", path=str(path), window=5).load(0)
    data = _dataset("csv-series", path=str(path), window=5, gap_fill="linear",
                    scale="none").load(0)
    assert torch.isfinite(data.x_train).all()
    # the interpolated value sits between its neighbours
    assert float(data.x_train[3, 4, 0]) == pytest.approx(7 / 59, abs=1e-6)


def test_csv_series_names_a_non_numeric_cell(tmp_path):
    path = _csv(tmp_path, "a,b\n1,2\n3,x7\n")
    with pytest.raises(DataError, match=r"line 3, column 'b': 'x7' is not a number"):
        read_series(path)


def test_csv_series_names_a_missing_target_and_file(tmp_path):
    path = _csv(tmp_path, "a\n" + "\n".join(str(i) for i in range(50)) + "\n")
    with pytest.raises(DataError, match="no column 'z'"):
        _dataset("csv-series", path=str(path), target="z").load(0)
    with pytest.raises(DataError, match="not found"):
        read_series(tmp_path / "nope.csv")
