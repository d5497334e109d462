"""Parameter models of the speech components (torch-free, imported at registration)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from robustkit import Params


class SyntheticPhonesParams(Params):
    n_train: int = Field(160, ge=4, le=20000, description="training utterances")
    n_test: int = Field(120, ge=4, le=20000, description="test utterances")
    train_speakers: int = Field(4, ge=1, le=500, description=(
        "speakers in the training split; the test split has its own, unseen speakers"))
    test_speakers: int = Field(6, ge=1, le=500, description="unseen speakers in the test split")
    n_phones: int = Field(16, ge=4, le=60, description="phones besides silence")
    n_words: int = Field(30, ge=4, le=200, description="words in the prefix-free lexicon")
    n_features: int = Field(20, ge=4, le=128, description="log-mel-like bands per frame")
    min_words: int = Field(2, ge=1, le=20, description="fewest words per utterance")
    max_words: int = Field(4, ge=1, le=20, description="most words per utterance")
    coarticulation: float = Field(0.35, ge=0, le=1, description=(
        "share of each phone's first and last frames pulled towards its neighbour's mean"))
    speaker_spread: float = Field(0.5, ge=0, le=5, description=(
        "size of each speaker's spectral offset, in units of the phone-mean spread"))
    warp_spread: float = Field(0.08, ge=0, le=0.3, description=(
        "spread of the speaker's frequency-warp factor (vocal-tract length), e.g. 0.08 = 8%"))
    channel_spread: float = Field(0.3, ge=0, le=5, description=(
        "size of each utterance's channel (spectral tilt and offset)"))
    frame_noise: float = Field(0.6, ge=0, le=5, description="std of per-frame noise")
    seed_offset: int = Field(0, ge=0, le=2**31, description=(
        "added to the pipeline seed for the corpus (lexicon, grammar, speakers)"))

    @model_validator(mode="after")
    def _words(self) -> SyntheticPhonesParams:
        if self.min_words > self.max_words:
            raise ValueError(f"min_words ({self.min_words}) exceeds max_words "
                             f"({self.max_words}); lower min_words or raise max_words")
        return self


class TimitParams(Params):
    root: str = Field(..., min_length=1, description=(
        "corpus directory in TIMIT layout: <root>/TRAIN/... and <root>/TEST/..., each "
        "utterance a .WAV with .PHN and .WRD files beside it"))
    features: Literal["logmel", "mfcc"] = Field("logmel", description=(
        "log-mel band energies or their DCT (MFCC)"))
    n_mels: int = Field(26, ge=4, le=128, description="mel bands")
    n_mfcc: int = Field(13, ge=2, le=64, description="cepstra kept when features='mfcc'")
    frame_ms: float = Field(25.0, ge=5, le=100, description="analysis window length (ms)")
    hop_ms: float = Field(10.0, ge=1, le=50, description="frame step (ms)")
    max_frames: int | None = Field(None, ge=1, le=100000, description=(
        "pad or refuse at this many frames; default: the longest utterance"))


class DBLSTMParams(Params):
    hidden: int = Field(48, ge=1, le=1024, description="LSTM units per direction per layer")
    layers: int = Field(2, ge=1, le=8, description="stacked LSTM layers")
    bidirectional: bool = Field(True, description="bidirectional (DBLSTM) or forward-only")
    objective: Literal["framewise", "ctc"] = Field("framewise", description=(
        "framewise cross-entropy on frame labels, or CTC on the collapsed phone sequence "
        "(adds a blank output, the last class)"))
    dropout: float = Field(0.0, ge=0, le=0.9, description="dropout between LSTM layers")


class WeightNoiseParams(Params):
    sigma: float = Field(0.075, ge=0, le=1, description=(
        "std of the Gaussian noise added to every weight once per mini-batch (0.075 in "
        "Graves, Mohamed & Hinton 2013)"))
    biases: bool = Field(True, description="also perturb biases")


class FeatureNoiseParams(Params):
    snr_db: float = Field(10.0, ge=-20, le=60, description=(
        "signal-to-noise ratio in dB of additive white noise on the feature frames; the "
        "signal power is each utterance's mean squared feature value"))


class ChannelParams(Params):
    tilt: float = Field(1.0, ge=-10, le=10, description=(
        "spectral tilt: a ramp from -tilt/2 on the lowest band to +tilt/2 on the highest, in "
        "feature units (log energy for log-mel features)"))
    offset: float = Field(0.0, ge=-10, le=10, description=(
        "constant gain change added to every band"))


class SpeakingRateParams(Params):
    rate: float = Field(1.2, ge=0.5, le=2.0, description=(
        "speaking-rate factor: >1 faster (fewer frames), <1 slower (more frames, cropped at "
        "the padded length)"))


class FeaturePGDParams(Params):
    eps: float = Field(0.25, ge=0, le=8, description=(
        "L-inf budget on each feature value, in feature units"))
    steps: int = Field(10, ge=1, le=1000, description="gradient steps (1 = FGSM)")
    step_size: float | None = Field(None, gt=0, le=8, description=(
        "step per iteration; default 2.5 * eps / steps (Madry et al. 2018)"))
    random_start: bool = Field(False, description="start from a uniform point in the ball")


class DecodeParams(Params):
    decoder: Literal["greedy", "beam"] = Field("greedy", description=(
        "CTC decoding: best path (greedy) or prefix beam search; framewise models are "
        "decoded by frame argmax then merging repeats, whatever this says"))
    beam_width: int = Field(8, ge=1, le=256, description="prefixes kept by beam search")
