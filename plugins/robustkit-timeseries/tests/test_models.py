"""Preprocessing, models, perturbations, closed-loop forecasting and scoring."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import torch
from robustkit_timeseries import systems
from robustkit_timeseries.experiment import fit, load, score_test
from robustkit_timeseries.forecast import closed_loop, score
from robustkit_timeseries.models import lee_oscillator
from robustkit_timeseries.preprocess import difference, undifference, wavelet_packet_denoise

from robustkit import Pipeline, get_registry
from robustkit.components import Kind
from robustkit.data import PerturbContext, make_generator
from robustkit.errors import DataError, ParamsError

torch.set_num_threads(1)


def _perturb(name, x, y, info, model=None, **params):
    spec = get_registry().get(Kind.PERTURBATION, name)
    ctx = PerturbContext(info=info, seed=0, generator=make_generator(0, name), model=model)
    return spec.build(params).perturb(x, y, ctx)


def test_differencing_has_an_exact_inverse():
    x = np.random.default_rng(0).normal(size=(4, 3, 50)).cumsum(-1)
    first, diffs = difference(x)
    assert diffs.shape == (4, 3, 49)
    np.testing.assert_allclose(undifference(first, diffs), x, rtol=0, atol=1e-12)
    first, diffs = difference(x, axis=1)
    np.testing.assert_allclose(undifference(first, diffs, axis=1), x, rtol=0, atol=1e-12)


def test_wavelet_packet_denoising_lowers_the_error_to_the_clean_series():
    clean = systems.mackey_glass(1000, 0)
    noisy = clean + systems.observation_noise(clean[:, None], 20, np.random.default_rng(1))[:, 0]
    windows = np.lib.stride_tricks.sliding_window_view(noisy, 32)[::4]
    truth = np.lib.stride_tricks.sliding_window_view(clean, 32)[::4]
    den = wavelet_packet_denoise(windows, "db4", 2, axis=-1)
    assert den.shape == windows.shape
    before = np.sqrt(np.mean((windows - truth) ** 2))
    after = np.sqrt(np.mean((den - truth) ** 2))
    assert after < 0.7 * before


def test_unknown_wavelet_is_refused():
    with pytest.raises(ParamsError, match="unknown discrete wavelet 'db99'"):
        get_registry().get(Kind.MODEL, "narx").build({"wavelet": "db99"})


@pytest.fixture(scope="module")
def mg():
    return load("mackey-glass", {"length": 600, "window": 16, "snr_db": 20}, 0)


def test_narx_differencing_output_is_last_value_plus_predicted_change(mg):
    builder = get_registry().get(Kind.MODEL, "narx").build({"denoise": False})
    net = builder.build(mg.info)
    with torch.no_grad():  # a network that predicts no change must return the last value
        net.net[-1].weight.zero_()
        net.net[-1].bias.zero_()
    out = net(mg.x_test[:5])
    torch.testing.assert_close(out, mg.x_test[:5, -1, :])


def test_narx_learns_mackey_glass(mg):
    f = fit(mg, "narx", {"hidden": 16}, {"epochs": 15, "lr": 0.01, "batch_size": 32})
    s = score_test(f)
    assert s["r2"] > 0.9
    assert set(s) == {"rmse", "mse", "mae", "mape", "r2"}


def test_closed_loop_feeds_predictions_back(mg):
    class Persistence(torch.nn.Module):
        def forward(self, x):
            return x[:, -1, :] + 0.01

    out = closed_loop(Persistence(), mg.x_test[:3], steps=5, target_index=[0])
    assert out.shape == (3, 5, 1)
    # each step adds 0.01 to the previous prediction: the loop is closed
    expected = mg.x_test[:3, -1, :].unsqueeze(1) + 0.01 * torch.arange(1, 6).view(1, 5, 1)
    torch.testing.assert_close(out, expected)


def test_closed_loop_needs_every_input_as_target():
    data = load("lorenz", {"length": 300, "window": 8}, 0)
    with pytest.raises(DataError, match="targets must be all 3 input features"):
        closed_loop(torch.nn.Identity(), data.x_test[:2], 3, data.info.extra["target_index"])


def test_score_matches_hand_computed_values():
    t = torch.tensor([[1.0], [2.0], [3.0], [4.0]])
    p = torch.tensor([[1.5], [2.0], [2.0], [4.0]])
    s = score(t, p)
    assert s["mse"] == pytest.approx((0.25 + 1.0) / 4)
    assert s["rmse"] == pytest.approx(np.sqrt(1.25 / 4))
    assert s["mae"] == pytest.approx(1.5 / 4)
    assert s["mape"] == pytest.approx((0.5 + 1 / 3) / 4)
    assert s["r2"] == pytest.approx(1 - 1.25 / 5.0)


def test_lee_oscillator_is_odd_bounded_and_tanh_for_strong_stimuli():
    s = torch.linspace(-1, 1, 41)
    out = lee_oscillator(s, 6, 50.0, 1.0)
    torch.testing.assert_close(out, -lee_oscillator(-s, 6, 50.0, 1.0))
    assert out.abs().max() <= 2.0
    strong = s.abs() > 0.5
    torch.testing.assert_close(out[strong], torch.tanh(s[strong]), atol=1e-3, rtol=0)


@pytest.mark.slow
def test_chaotic_rnn_and_bilstm_learn(mg):
    small = dataclasses.replace(mg, x_train=mg.x_train[:160], y_train=mg.y_train[:160])
    for name, params in (("chaotic-rnn", {"hidden": 8}), ("bilstm", {"units": 8})):
        f = fit(small, name, params, {"epochs": 10, "lr": 0.01, "batch_size": 32})
        assert f.history[-1] < 0.5 * f.history[0], name


def test_ts_noise_realises_the_snr(mg):
    x = mg.x_test
    noisy = _perturb("ts-noise", x, mg.y_test, mg.info, snr_db=10.0)
    snr = 10 * torch.log10(x.var() / (noisy - x).var())
    assert abs(float(snr) - 10.0) < 0.5


def test_ts_outliers_drift_missing_do_what_they_say(mg):
    x, y = mg.x_test, mg.y_test
    out = _perturb("ts-outliers", x, y, mg.info, rate=0.1, magnitude=3.0)
    changed = (out != x).float().mean()
    assert 0.07 < float(changed) < 0.13
    drift = _perturb("ts-drift", x, y, mg.info, amount=1.0) - x
    assert float(drift[:, 0].abs().max()) == 0.0  # the ramp starts at zero
    assert float(drift[:, -1].abs().mean()) == pytest.approx(float(x.std(dim=(0, 1))), rel=0.01)
    held = _perturb("ts-missing", x, y, mg.info, fraction=0.25, fill="hold")
    diff = (held != x).any(-1)
    assert diff.any()
    for i in range(5):  # each window's changed values all equal the value before the stretch
        idx = torch.nonzero(diff[i]).flatten()
        if len(idx):
            assert torch.all(held[i, idx] == held[i, idx[0] - 1])


def test_ts_pgd_raises_the_error_within_its_budget(mg):
    f = fit(mg, "narx", {"hidden": 16, "denoise": False},
            {"epochs": 10, "lr": 0.01, "batch_size": 32})
    x, y = mg.x_test, mg.y_test
    adv = _perturb("ts-pgd", x, y, mg.info, model=f.model, eps=0.02, steps=5)
    assert float((adv - x).abs().max()) <= 0.02 + 1e-6
    noise = x + 0.02 * torch.sign(torch.randn(x.shape, generator=torch.Generator().manual_seed(0)))
    clean, attacked, rand = (score_test(f, v)["rmse"] for v in (x, adv, noise))
    assert attacked > 1.5 * clean and attacked > rand


def test_ts_pgd_goes_through_the_denoiser_straight_through(mg):
    f = fit(mg, "narx", {"hidden": 16}, {"epochs": 5, "lr": 0.01, "batch_size": 32})
    x, y = mg.x_test[:64], mg.y_test[:64]
    adv = _perturb("ts-fgsm", x, y, mg.info, model=f.model, eps=0.02)
    assert float((adv - x).abs().max()) > 0.019  # the gradient reached the inputs


def test_pipeline_runs_a_forecast_with_noise_curve(tmp_path):
    r = Pipeline(dataset={"name": "mackey-glass", "params": {"length": 500, "window": 12}},
                 model={"name": "narx", "params": {"hidden": 16}},
                 perturbations=[{"name": "ts-noise", "snr_db": [30, 5]}],
                 metrics=["rmse", "r2"], training={"epochs": 8, "lr": 0.01},
                 store=tmp_path / "r.db").run()
    assert r.value("rmse", "ts-noise[snr_db=5]") > r.value("rmse", "ts-noise[snr_db=30]")
