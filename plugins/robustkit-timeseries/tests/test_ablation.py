"""Ablations of the time-series methods: NARX's differencing and wavelet denoising, and the
chaotic RNN's Lee-oscillator unit. Each test fails when its ingredient is switched off.

``measure_*(seed)`` is what a test asserts on; ``benchmarks/ablations.py`` runs it over more
seeds and writes the distributions quoted below to ``benchmarks/results/ablations/``.
"""

from __future__ import annotations

import pytest
import torch
from robustkit_timeseries.experiment import fit, load, score_test
from robustkit_timeseries.preprocess import wavelet_packet_denoise

from robustkit import get_registry
from robustkit.components import Kind
from robustkit.data import PerturbContext, make_generator

torch.set_num_threads(1)


def measure_differencing(seed: int) -> dict[str, float]:
    """Test RMSE of NARX (denoising on) with and without differencing, on Mackey-Glass at
    10 dB with a drift of one standard deviation over the series (non-stationary, Ge et
    al.'s setting), 800 samples, 16 hidden units, 20 epochs."""
    data = load("mackey-glass", {"snr_db": 10, "window": 16, "scale": "none", "length": 800,
                                 "drift": 1.0}, seed)
    out = {}
    for name, diff in (("differencing", True), ("levels", False)):
        f = fit(data, "narx", {"hidden": 16, "difference": diff, "denoise": True},
                {"epochs": 20, "lr": 0.005, "batch_size": 32}, seed)
        out[name] = score_test(f)["rmse"]
    return out


@pytest.mark.slow
def test_differencing_earns_its_keep_on_a_drifting_series():
    """Measured (OMP_NUM_THREADS=1, seeds 0-3), test RMSE with / without differencing:
    0.0603/0.0551, 0.0627/0.0847, 0.0622/0.0865, 0.0547/0.1031 (per-seed ratio 0.53-1.09:
    seed 0 goes the other way; summed over seeds 0 and 1 the ratio is 0.88, the largest of
    any pair of the four; benchmarks/results/ablations/narx-differencing.json). Without drift
    differencing does not help (docs/plugins/timeseries.md), so the test uses the setting the
    method is for. About 30 s."""
    runs = [measure_differencing(s) for s in (0, 1)]
    with_diff = sum(r["differencing"] for r in runs)
    without = sum(r["levels"] for r in runs)
    assert with_diff < 0.95 * without, (with_diff, without)


def test_narx_denoises_its_inputs_in_the_forward_pass():
    """The denoiser is on the model's path: a NARX with ``denoise`` computes exactly what the
    same weights compute on the wavelet-denoised window, which is not what they compute on
    the raw one. (Its effect on RMSE is small: docs/plugins/timeseries.md.)"""
    data = load("mackey-glass", {"length": 300, "window": 32, "snr_db": 10}, 0)
    reg = get_registry().get(Kind.MODEL, "narx")
    torch.manual_seed(0)
    on = reg.build({"denoise": True, "difference": False}).build(data.info)
    off = reg.build({"denoise": False, "difference": False}).build(data.info)
    off.load_state_dict(on.state_dict())
    x = data.x_test[:16]
    p = on.p
    clean = torch.from_numpy(wavelet_packet_denoise(x.double().numpy(), p.wavelet, p.level,
                                                    p.threshold_scale, axis=1)).float()
    with torch.no_grad():
        torch.testing.assert_close(on(x), off(clean), atol=1e-5, rtol=1e-4)
        assert (on(x) - off(x)).abs().max() > 1e-3


def measure_chaotic_unit(seed: int) -> dict[str, float]:
    """Rise of test RMSE at 0 dB SNR over the clean score, for the chaotic RNN and for the
    plain (tanh) RNN of equal size, both trained on the noise-free Mackey-Glass series
    (700 samples, window 12, 12 units, 20 epochs)."""
    data = load("mackey-glass", {"length": 700, "window": 12}, seed)
    noise = get_registry().get(Kind.PERTURBATION, "ts-noise").build({"snr_db": 0})
    ctx = PerturbContext(info=data.info, seed=seed, generator=make_generator(seed, "n"))
    x_noisy = noise.perturb(data.x_test, data.y_test, ctx)
    out = {}
    for name in ("chaotic-rnn", "rnn"):
        f = fit(data, name, {"hidden": 12}, {"epochs": 20, "lr": 0.005, "batch_size": 32},
                seed)
        out[name] = score_test(f, x_noisy)["rmse"] - score_test(f)["rmse"]
    return out


def test_the_lee_unit_flattens_moderate_stimuli_where_tanh_does_not():
    """The chaotic unit's claimed mechanism (docs/plugins/timeseries.md): over stimuli
    0.05-0.2 the Lee response plateaus, so a change of the stimulus there moves the unit about
    half as much as tanh would (measured mean slope 0.44 vs tanh's 0.98). Replacing the
    oscillator by tanh, or removing its chaotic term (k -> infinity), fails this.

    The noise *curve* is not guarded by a fast test: at test scale (12 units, 700 samples,
    20 epochs; ``measure_chaotic_unit``, benchmarks/results/ablations/chaotic-unit.json) the
    chaotic RNN's RMSE rise at 0 dB was 0.70, 0.92, 0.97 and 1.02 times the tanh RNN's on
    seeds 0-3 (50-190 s per seed under load), i.e. not established; the benchmark's 16-unit,
    40-epoch runs (docs/plugins/timeseries.md) found 0.75-0.77 on 3/3 seeds."""
    from robustkit_timeseries.models import lee_oscillator

    s = torch.linspace(0.05, 0.2, 50, requires_grad=True)
    (slope,) = torch.autograd.grad(lee_oscillator(s, 6, 50.0, 1.0).sum(), s)
    tanh_slope = 1 - torch.tanh(s.detach()) ** 2
    assert float(slope.abs().mean()) < 0.6 * float(tanh_slope.mean())
