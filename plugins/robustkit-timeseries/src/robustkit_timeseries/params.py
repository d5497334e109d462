"""Parameter models (torch-free, imported at registration)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from robustkit import Params

GapFill = Literal["none", "linear", "hold"]


class _Forecast(Params):
    """What every series data set shares: windowing, split, noise, scaling."""

    length: int = Field(2000, ge=100, le=1_000_000, description="samples kept after the "
                        "transient and subsampling")
    window: int = Field(24, ge=2, le=4096, description="past samples per input window")
    horizon: int = Field(1, ge=1, le=512, description="future samples to predict per window")
    test_fraction: float = Field(0.25, gt=0.05, lt=0.9, description="share of the series, at "
                                 "its end, held out for testing (chronological split)")
    snr_db: float | None = Field(20.0, ge=-20, le=120, description="observation noise: signal "
                                 "to noise power ratio in dB (None = noise-free)")
    drift: float = Field(0.0, ge=0, le=100, description="non-stationary linear drift added "
                         "over the whole series, in units of the series' standard deviation")
    targets_clean: bool = Field(True, description="targets are the noise-free series (scores "
                                "recovery of the dynamics); False: the noisy observations")
    scale: Literal["minmax", "none"] = Field("minmax", description="minmax: map the training "
                                             "part of the noisy series to [0, 1]; none: raw "
                                             "units")


class MackeyGlassParams(_Forecast):
    tau: float = Field(17.0, gt=0, le=200, description="delay; tau >= 17 gives chaos")
    beta: float = Field(0.2, gt=0, le=10, description="production rate")
    gamma: float = Field(0.1, gt=0, le=10, description="decay rate")
    n: float = Field(10.0, gt=0, le=50, description="nonlinearity exponent")
    dt: float = Field(0.1, gt=0, le=1, description="integration step (RK4, fixed)")
    sample_every: float = Field(1.0, gt=0, le=50, description="time between kept samples")
    transient: float = Field(500.0, ge=0, le=100_000, description="time discarded at the start")


class LorenzParams(_Forecast):
    sigma: float = Field(10.0, gt=0, le=100, description="Prandtl number sigma")
    rho: float = Field(28.0, gt=0, le=500, description="Rayleigh number rho (28: chaotic)")
    beta: float = Field(8.0 / 3.0, gt=0, le=100, description="geometric factor beta")
    sample_every: float = Field(0.02, gt=0, le=5, description="time between kept samples")
    transient: float = Field(20.0, ge=0, le=10_000, description="time discarded at the start")
    target: Literal["x", "y", "z"] = Field("x", description="component to forecast")
    inputs: Literal["all", "target"] = Field("all", description="all three components as "
                                             "input features, or only the target")


class RosslerParams(_Forecast):
    a: float = Field(0.2, gt=0, le=10, description="Rossler a (y feedback)")
    b: float = Field(0.2, gt=0, le=10, description="Rossler b (z offset)")
    c: float = Field(5.7, gt=0, le=100, description="Rossler c (5.7: chaotic)")
    sample_every: float = Field(0.1, gt=0, le=5, description="time between kept samples")
    transient: float = Field(100.0, ge=0, le=10_000, description="time discarded at the start")
    target: Literal["x", "y", "z"] = Field("x", description="component to forecast")
    inputs: Literal["all", "target"] = Field("all", description="all three components as "
                                             "input features, or only the target")


class CSVSeriesParams(Params):
    path: str = Field(min_length=1, description="CSV file with a header: one column per "
                      "variable, one row per time step, optional timestamp column")
    timestamp: str | None = Field(None, description="name of a timestamp column to ignore "
                                  "(rows must already be in time order)")
    target: str | None = Field(None, description="column to forecast (default: the first "
                               "variable column)")
    gap_fill: GapFill = Field("none", description="empty/NaN cells: none = refuse naming the "
                              "first one; linear = interpolate; hold = repeat the last value")
    window: int = Field(24, ge=2, le=4096, description="past samples per input window")
    horizon: int = Field(1, ge=1, le=512, description="future samples to predict per window")
    test_fraction: float = Field(0.25, gt=0.05, lt=0.9, description="share held out at the end")
    scale: Literal["minmax", "none"] = Field("minmax", description="map the training part to "
                                             "[0, 1] per column, or keep raw units")


class TSNoiseParams(Params):
    snr_db: float = Field(20.0, ge=-20, le=120, description="signal to noise power ratio in dB "
                          "per feature (lower = stronger)")


class TSOutliersParams(Params):
    rate: float = Field(0.02, ge=0, le=1, description="share of values replaced by impulses")
    magnitude: float = Field(3.0, gt=0, le=100, description="impulse size in feature standard "
                             "deviations (random sign)")


class TSDriftParams(Params):
    amount: float = Field(0.5, ge=0, le=100, description="ramp reached at the window's end, in "
                          "feature standard deviations")


class TSMissingParams(Params):
    fraction: float = Field(0.1, ge=0, le=0.9, description="share of each window lost, as one "
                            "contiguous stretch")
    fill: Literal["hold", "linear", "zero"] = Field("hold", description="how the sensor fills "
                                                    "the lost stretch (NaN would reach the "
                                                    "model)")


class TSGradientParams(Params):
    eps: float = Field(0.02, ge=0, le=10, description="L-inf budget per input value, in input "
                       "units")
    steps: int = Field(10, ge=1, le=1000, description="gradient steps (1 = FGSM)")
    alpha: float | None = Field(None, gt=0, le=10, description="step size (default 2.5 * eps "
                                "/ steps; eps for one step)")
    random_start: bool = Field(True, description="start from a random point of the ball "
                               "(ignored for one step)")


class TSFGSMParams(Params):
    eps: float = Field(0.02, ge=0, le=10, description="L-inf budget per input value, in input "
                       "units")


class NARXParams(Params):
    hidden: int = Field(32, ge=1, le=4096, description="hidden units (tanh)")
    layers: int = Field(1, ge=1, le=8, description="hidden layers")
    difference: bool = Field(True, description="forward differencing of the inputs; predict "
                             "the change from the last value and invert exactly")
    denoise: bool = Field(True, description="wavelet-packet soft-threshold denoising of each "
                          "input window")
    level_input: bool = Field(True, description="with differencing, also feed the last value "
                              "(stationary nonlinear dynamics need it; drop it to make the "
                              "network blind to the level, e.g. under drift)")
    wavelet: str = Field("db4", min_length=2, description="PyWavelets wavelet name")
    level: int = Field(2, ge=1, le=8, description="wavelet packet decomposition depth")
    threshold_scale: float = Field(1.0, gt=0, le=10, description="multiplier of the universal "
                                   "threshold sigma * sqrt(2 log n)")


class RNNParams(Params):
    hidden: int = Field(32, ge=1, le=4096, description="recurrent units")


class ChaoticRNNParams(Params):
    hidden: int = Field(32, ge=1, le=4096, description="recurrent units (one Lee oscillator "
                        "each)")
    iterations: int = Field(6, ge=1, le=100, description="oscillator iterations per time step; "
                            "their mean is the unit's output")
    k: float = Field(50.0, ge=0, le=10_000, description="decay of the chaotic term with the "
                     "stimulus, exp(-k s^2)")
    mu: float = Field(1.0, gt=0, le=100, description="steepness of the oscillator's tanh")
    stimulus_gain: float = Field(1.0, gt=0, le=100, description="scale of the stimulus fed to "
                                 "the oscillators")


class BiLSTMParams(Params):
    units: int = Field(32, ge=1, le=4096, description="LSTM units per direction")
    layers: int = Field(1, ge=1, le=8, description="stacked bidirectional layers")
    dropout: float = Field(0.1, ge=0, lt=1, description="dropout between layers and before "
                           "the head")
