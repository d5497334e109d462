"""Registers the time-series data sets, perturbations and models. Factories are lazy strings,
so listing plugins imports neither torch nor SciPy."""

from robustkit import Threat, hookimpl
from robustkit_timeseries.params import (
    BiLSTMParams,
    ChaoticRNNParams,
    CSVSeriesParams,
    LorenzParams,
    MackeyGlassParams,
    NARXParams,
    RNNParams,
    RosslerParams,
    TSDriftParams,
    TSFGSMParams,
    TSGradientParams,
    TSMissingParams,
    TSNoiseParams,
    TSOutliersParams,
)

_D = "robustkit_timeseries.datasets"
_P = "robustkit_timeseries.perturbations"
_M = "robustkit_timeseries.models"
_REG = ["regression"]
_SEQ = dict(task="regression", modality="sequence")


@hookimpl
def robustkit_register_datasets(register):
    register.dataset(
        "mackey-glass",
        f"{_D}:MackeyGlass",
        params=MackeyGlassParams,
        **_SEQ,
        summary="Mackey-Glass delay equation (tau=17), observation noise at an SNR, "
        "forecast windows",
    )
    register.dataset(
        "lorenz",
        f"{_D}:Lorenz",
        params=LorenzParams,
        **_SEQ,
        summary="Lorenz system (SciPy DOP853), noise at an SNR, forecast one component",
    )
    register.dataset(
        "rossler",
        f"{_D}:Rossler",
        params=RosslerParams,
        **_SEQ,
        summary="Rossler system (SciPy DOP853), noise at an SNR, forecast one component",
    )
    register.dataset(
        "csv-series",
        "robustkit_timeseries.csv_series:CSVSeries",
        params=CSVSeriesParams,
        **_SEQ,
        summary="a series from CSV (one column per variable); gaps refused or filled",
    )


@hookimpl
def robustkit_register_perturbations(register):
    common = dict(tasks=_REG, needs="nothing", targets=["test-inputs"])
    register.perturbation(
        "ts-noise",
        f"{_P}:TSNoise",
        params=TSNoiseParams,
        strength="snr_db",
        **common,
        summary="Gaussian noise on windows at an SNR in dB (lower = stronger)",
    )
    register.perturbation(
        "ts-outliers",
        f"{_P}:TSOutliers",
        params=TSOutliersParams,
        strength="rate",
        **common,
        summary="impulsive outliers of +-magnitude standard deviations",
    )
    register.perturbation(
        "ts-drift",
        f"{_P}:TSDrift",
        params=TSDriftParams,
        strength="amount",
        **common,
        summary="a linear drift over each window",
    )
    register.perturbation(
        "ts-missing",
        f"{_P}:TSMissing",
        params=TSMissingParams,
        strength="fraction",
        **common,
        summary="a lost stretch of each window, held/interpolated/zeroed",
    )
    grad = dict(tasks=_REG, needs="gradients", targets=["test-inputs"], strength="eps")
    register.perturbation(
        "ts-fgsm",
        f"{_P}:TSGradient",
        params=TSFGSMParams,
        **grad,
        threat=Threat(norm="linf", iterative=False),
        summary="FGSM on input windows, maximising the forecast MSE",
    )
    register.perturbation(
        "ts-pgd",
        f"{_P}:TSGradient",
        params=TSGradientParams,
        **grad,
        threat=Threat(norm="linf", iterative=True),
        summary="L-inf PGD on input windows, maximising the forecast MSE",
    )


@hookimpl
def robustkit_register_models(register):
    seq = dict(tasks=_REG, modalities=["sequence"])
    register.model(
        "narx",
        f"{_M}:NARXBuilder",
        params=NARXParams,
        **seq,
        summary="NARX with forward differencing and wavelet-packet denoising (Ge et al. 2024)",
    )
    register.model(
        "rnn",
        f"{_M}:RNNBuilder",
        params=RNNParams,
        **seq,
        summary="plain Elman RNN (tanh), the baseline for chaotic-rnn",
    )
    register.model(
        "chaotic-rnn",
        f"{_M}:ChaoticRNNBuilder",
        params=ChaoticRNNParams,
        **seq,
        summary="RNN whose units are Lee chaotic oscillators (Lee 2004)",
    )
    register.model(
        "bilstm",
        f"{_M}:BiLSTMBuilder",
        params=BiLSTMParams,
        **seq,
        summary="bidirectional LSTM with dropout (ISSA-BiLSTM, Zhang 2023)",
    )
