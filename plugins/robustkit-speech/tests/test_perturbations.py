"""Feature perturbations do what they say, keep padding zero and stay in bounds."""

import pytest
import torch
from robustkit_speech.params import (
    ChannelParams,
    FeatureNoiseParams,
    FeaturePGDParams,
    SpeakingRateParams,
)
from robustkit_speech.perturbations import (
    ChannelDistortion,
    FeatureNoise,
    FeaturePGD,
    SpeakingRate,
)
from robustkit_speech.sequences import PAD, frame_mask, input_lengths

from robustkit.data import PerturbContext, make_generator
from robustkit.errors import DataError
from robustkit.trainer import predict


def ctx(info, model=None, seed=0):
    return PerturbContext(info=info, seed=seed, generator=make_generator(seed, "t"), model=model)


def _padding_kept(x, out):
    pad = (x == 0).all(-1)
    assert (out[pad] == 0).all()


@pytest.mark.parametrize("snr", [20.0, 5.0, 0.0])
def test_feature_noise_hits_the_snr(corpus, snr):
    x = corpus.x_test
    out = FeatureNoise(FeatureNoiseParams(snr_db=snr)).perturb(x, corpus.y_test, ctx(corpus.info))
    mask = frame_mask(input_lengths(x), x.shape[1])
    signal = x[mask].pow(2).mean()
    noise = (out - x)[mask].pow(2).mean()
    measured = 10 * torch.log10(signal / noise)
    assert abs(float(measured) - snr) < 0.3  # clipping at the bounds is rare at these levels
    _padding_kept(x, out)
    assert torch.equal(input_lengths(out), input_lengths(x))


def test_channel_distortion_is_a_tilt(corpus):
    x = corpus.x_test[:4]
    out = ChannelDistortion(ChannelParams(tilt=2.0, offset=0.5)).perturb(
        x, corpus.y_test[:4], ctx(corpus.info))
    mask = frame_mask(input_lengths(x), x.shape[1])
    shift = (out - x)[mask]
    f = x.shape[-1]
    expected = 2.0 * torch.linspace(-0.5, 0.5, f) + 0.5
    assert torch.allclose(shift, expected.expand_as(shift), atol=1e-5)
    _padding_kept(x, out)


@pytest.mark.parametrize("rate", [0.8, 1.25, 2.0])
def test_speaking_rate_changes_lengths(corpus, rate):
    x = corpus.x_test
    out = SpeakingRate(SpeakingRateParams(rate=rate)).perturb(x, corpus.y_test, ctx(corpus.info))
    before, after = input_lengths(x), input_lengths(out)
    expected = (before.float() / rate).round().clamp(max=x.shape[1]).long()
    assert torch.equal(after, expected)
    # the first and last frames are kept, the order of content is kept
    assert torch.allclose(out[:, 0], x[:, 0])
    i = 0
    assert torch.allclose(out[i, after[i] - 1], x[i, before[i] - 1], atol=1e-5)


def test_perturbations_refuse_flat_inputs(corpus):
    with pytest.raises(DataError, match="N x T x F"):
        FeatureNoise(FeatureNoiseParams()).perturb(torch.zeros(4, 10), corpus.y_test[:4],
                                                   ctx(corpus.info))


def _frame_error(model, x, y):
    pred = predict(model, x).argmax(-1)
    valid = y != PAD
    return float(((pred != y) & valid).sum() / valid.sum())


@pytest.mark.slow
def test_feature_pgd_raises_error_within_budget(corpus, trained):
    x, y = corpus.x_test, corpus.y_test
    eps = 0.3
    attack = FeaturePGD(FeaturePGDParams(eps=eps, steps=5))
    adv = attack.perturb(x, y, ctx(corpus.info, trained))
    assert (adv - x).abs().max() <= eps + 1e-5
    _padding_kept(x, adv)
    clean = _frame_error(trained, x, y)
    noise = FeatureNoise(FeatureNoiseParams(snr_db=10)).perturb(x, y, ctx(corpus.info))
    attacked = _frame_error(trained, adv, y)
    # the attack is far worse than its budget spent at random and than the clean error
    rand = x + eps * torch.sign(torch.randn(x.shape, generator=torch.Generator().manual_seed(0)))
    rand = rand * (x != 0).any(-1, keepdim=True)
    assert attacked > 2 * clean
    assert attacked > _frame_error(trained, rand, y) + 0.15
    assert noise.shape == x.shape
    # more steps are not weaker than one (FGSM)
    fgsm = FeaturePGD(FeaturePGDParams(eps=eps, steps=1)).perturb(x, y, ctx(corpus.info, trained))
    assert attacked >= _frame_error(trained, fgsm, y) - 0.01
