"""Registers the speech components. Factories are lazy strings: listing imports no torch."""

from robustkit import NoParams, Threat, hookimpl
from robustkit_speech.params import (
    ChannelParams,
    DBLSTMParams,
    DecodeParams,
    FeatureNoiseParams,
    FeaturePGDParams,
    SpeakingRateParams,
    SyntheticPhonesParams,
    TimitParams,
    WeightNoiseParams,
)

_P = "robustkit_speech"
_SEQ = ["sequence-labelling"]


@hookimpl
def robustkit_register_datasets(register):
    register.dataset(
        "synthetic-phones",
        f"{_P}.corpus:SyntheticPhones",
        params=SyntheticPhonesParams,
        task="sequence-labelling",
        modality="sequence",
        summary="seeded synthetic phone corpus: lexicon + bigram grammar rendered as "
        "log-mel-like frames with coarticulation, speakers and channels",
    )
    register.dataset(
        "timit",
        f"{_P}.timit:Timit",
        params=TimitParams,
        task="sequence-labelling",
        modality="sequence",
        summary="a corpus in TIMIT layout (WAV + .PHN + .WRD) as log-mel or MFCC frames",
    )


@hookimpl
def robustkit_register_models(register):
    register.model(
        "dblstm",
        f"{_P}.models:DBLSTM",
        params=DBLSTMParams,
        tasks=_SEQ,
        modalities=["sequence"],
        summary="deep bidirectional LSTM, framewise or CTC (Graves, Jaitly & Mohamed 2013)",
    )


@hookimpl
def robustkit_register_defenses(register):
    register.training_defense(
        "weight-noise",
        f"{_P}.weight_noise:WeightNoise",
        params=WeightNoiseParams,
        summary="Gaussian noise on the weights at every training step (Graves 2011)",
    )


_NOISE = dict(needs="nothing", targets=["test-inputs", "train-inputs"], tasks=_SEQ)


@hookimpl
def robustkit_register_perturbations(register):
    register.perturbation(
        "feature-noise",
        f"{_P}.perturbations:FeatureNoise",
        params=FeatureNoiseParams,
        strength="snr_db",
        summary="white noise on feature frames at an SNR in dB",
        **_NOISE,
    )
    register.perturbation(
        "channel-distortion",
        f"{_P}.perturbations:ChannelDistortion",
        params=ChannelParams,
        strength="tilt",
        summary="spectral tilt and gain on log-band features (a linear channel)",
        **_NOISE,
    )
    register.perturbation(
        "speaking-rate",
        f"{_P}.perturbations:SpeakingRate",
        params=SpeakingRateParams,
        strength="rate",
        summary="time-stretch of each utterance's frames (labels kept)",
        **_NOISE,
    )
    register.perturbation(
        "feature-pgd",
        f"{_P}.perturbations:FeaturePGD",
        params=FeaturePGDParams,
        needs="gradients",
        targets=["test-inputs"],
        strength="eps",
        tasks=_SEQ,
        threat=Threat(norm="linf", iterative=True),
        summary="L-inf PGD on feature frames against the model's training loss",
    )


@hookimpl
def robustkit_register_metrics(register):
    register.metric(
        "frame-error-rate",
        f"{_P}.metrics:FrameErrorRate",
        params=NoParams,
        tasks=_SEQ,
        higher_is_better=False,
        summary="share of frames whose argmax phone is wrong",
    )
    register.metric(
        "phone-error-rate",
        f"{_P}.metrics:PhoneErrorRate",
        params=DecodeParams,
        tasks=_SEQ,
        higher_is_better=False,
        summary="edit distance of decoded phone sequences / reference phones (jiwer)",
    )
    register.metric(
        "word-error-rate",
        f"{_P}.metrics:WordErrorRate",
        params=DecodeParams,
        tasks=_SEQ,
        higher_is_better=False,
        summary="edit distance of lexicon-decoded words / reference words (jiwer)",
    )
