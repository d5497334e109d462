"""Perturbations of audio feature frames (``N x T x F``, zero padding past each utterance).

Each changes only the frames inside an utterance (lengths read from the inputs, see
:func:`robustkit_speech.sequences.input_lengths`), keeps padding exactly zero and clips to the
data bounds. Labels are never changed: a perturbation cannot move the frame alignment, which is
why frame error rate is undefined after a speaking-rate change (phone and word error rates,
which compare sequences, stay meaningful).
"""

from __future__ import annotations

import torch

from robustkit.data import PerturbContext
from robustkit.errors import DataError
from robustkit_speech.params import (
    ChannelParams,
    FeatureNoiseParams,
    FeaturePGDParams,
    SpeakingRateParams,
)
from robustkit_speech.sequences import frame_mask, input_lengths


def _mask(x: torch.Tensor) -> torch.Tensor:
    if x.dim() != 3:
        raise DataError(f"audio-feature perturbations need N x T x F frames; got shape "
                        f"{tuple(x.shape)}")
    return frame_mask(input_lengths(x), x.shape[1]).unsqueeze(-1).to(x.dtype)


def _finish(x: torch.Tensor, mask: torch.Tensor, ctx: PerturbContext) -> torch.Tensor:
    lo, hi = ctx.info.bounds
    return (x.clamp(lo, hi) * mask).detach()


class FeatureNoise:
    """``feature-noise``: white Gaussian noise at a per-utterance SNR (dB) on the frames.

    Signal power is an utterance's mean squared feature value over its frames, so
    ``noise_std = sqrt(P / 10^(snr/10))``. On log-mel features this models a noisy front end
    rather than additive noise in the waveform (whose effect on log-mel is not additive).
    """

    def __init__(self, params: FeatureNoiseParams):
        self.params = params

    def perturb(self, x: torch.Tensor, y: torch.Tensor, ctx: PerturbContext) -> torch.Tensor:
        mask = _mask(x)
        frames = mask.sum((1, 2)).clamp(min=1) * x.shape[-1] / mask.shape[-1]
        power = (x.pow(2) * mask).sum((1, 2)) / frames
        std = (power / 10 ** (self.params.snr_db / 10)).sqrt()
        noise = torch.randn(x.shape, generator=ctx.generator).to(x.device, x.dtype)
        return _finish(x + std[:, None, None] * noise, mask, ctx)


class ChannelDistortion:
    """``channel-distortion``: a spectral tilt and gain added to every frame.

    A linear channel multiplies the spectrum, which in log-band energies is an addition that is
    the same at every frame; a tilt is the simplest such filter (a first-order pre-emphasis or
    a muffled microphone).
    """

    def __init__(self, params: ChannelParams):
        self.params = params

    def perturb(self, x: torch.Tensor, y: torch.Tensor, ctx: PerturbContext) -> torch.Tensor:
        mask = _mask(x)
        f = x.shape[-1]
        ramp = torch.linspace(-0.5, 0.5, f, device=x.device, dtype=x.dtype) if f > 1 else (
            torch.zeros(1, device=x.device, dtype=x.dtype))
        shift = self.params.tilt * ramp + self.params.offset
        return _finish(x + shift, mask, ctx)


class SpeakingRate:
    """``speaking-rate``: each utterance resampled in time by linear interpolation.

    An utterance of ``L`` frames becomes ``round(L / rate)`` frames (faster speech: fewer),
    cropped at the padded length ``T``. The labels stay as they were, so frame error rate is
    undefined afterwards; phone and word error rates compare sequences and still apply.
    """

    def __init__(self, params: SpeakingRateParams):
        self.params = params

    def perturb(self, x: torch.Tensor, y: torch.Tensor, ctx: PerturbContext) -> torch.Tensor:
        _mask(x)
        lengths = input_lengths(x).tolist()
        t = x.shape[1]
        out = torch.zeros_like(x)
        for i, n in enumerate(lengths):
            new = max(1, min(t, round(n / self.params.rate)))
            pos = torch.linspace(0, n - 1, new, device=x.device, dtype=x.dtype)
            lo = pos.floor().long()
            hi = (lo + 1).clamp(max=n - 1)
            w = (pos - lo.to(x.dtype)).unsqueeze(-1)
            out[i, :new] = (1 - w) * x[i, lo] + w * x[i, hi]
        mask = frame_mask(torch.tensor([max(1, min(t, round(n / self.params.rate)))
                                        for n in lengths], device=x.device), t)
        return _finish(out, mask.unsqueeze(-1).to(x.dtype), ctx)


class FeaturePGD:
    """``feature-pgd``: L-inf projected gradient ascent on the model's own training loss.

    The loss is ``model.training_loss(model(x), y)`` when the model defines one (framewise
    cross-entropy or CTC for ``dblstm``), else cross-entropy over frames. Only frames inside
    each utterance move, by at most ``eps`` each, within the data bounds. ``steps=1`` with the
    default step size ``2.5 * eps`` clipped to ``eps`` is FGSM (Goodfellow et al. 2015).
    """

    def __init__(self, params: FeaturePGDParams):
        self.params = params

    def _loss(self, model, out: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        own = getattr(model, "training_loss", None)
        if callable(own):
            return own(out, y)
        if out.dim() != 3:
            raise DataError(f"feature-pgd needs N x T x K frame outputs or a model with "
                            f"training_loss(); the model returned {tuple(out.shape)}")
        return torch.nn.functional.cross_entropy(out.transpose(1, 2), y, ignore_index=-100)

    def perturb(self, x: torch.Tensor, y: torch.Tensor, ctx: PerturbContext) -> torch.Tensor:
        model = ctx.model
        if model is None:
            raise DataError("feature-pgd needs the model's gradients; register it with "
                            "needs='gradients'")
        mask = _mask(x)
        p = self.params
        step = p.step_size if p.step_size is not None else 2.5 * p.eps / p.steps
        lo, hi = ctx.info.bounds
        x0 = x.detach()
        adv = x0.clone()
        if p.random_start:
            start = torch.rand(x.shape, generator=ctx.generator).to(x.device, x.dtype)
            adv = adv + (2 * start - 1) * p.eps * mask
        was_training = model.training
        model.eval()
        # cuDNN RNNs refuse backward in eval mode; CPU LSTMs do not care
        with torch.backends.cudnn.flags(enabled=False):
            for _ in range(p.steps):
                adv = adv.detach().requires_grad_(True)
                loss = self._loss(model, model(adv), y)
                (grad,) = torch.autograd.grad(loss, adv)
                adv = adv.detach() + step * grad.sign() * mask
                adv = torch.min(torch.max(adv, x0 - p.eps), x0 + p.eps).clamp(lo, hi)
        model.train(was_training)
        return _finish(adv, mask, ctx)
