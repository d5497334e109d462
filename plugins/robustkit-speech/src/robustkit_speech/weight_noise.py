"""Weight noise (Graves 2011; Graves, Mohamed & Hinton 2013) as a training defense.

At every training step a fresh Gaussian ``eps ~ N(0, sigma^2)`` is drawn for each weight, the
loss is computed with weights ``w + eps``, and its gradient (which, because ``d(w+eps)/dw = 1``,
is the gradient at the noisy point) updates the clean weights ``w``. It is the
"fixed-variance" form of Graves's variational regulariser: it penalises sharp minima and acts
as a description-length prior. The noisy forward runs through ``torch.func.functional_call``,
so the stored weights are never overwritten and any module works (LSTM, GRU, CNN).

Graves draws the noise once per training *sequence*; here it is drawn once per mini-batch,
which is the same with ``training.batch_size = 1`` (and cheaper otherwise).
"""

from __future__ import annotations

import torch
from torch import nn
from torch.func import functional_call

from robustkit.data import DataBundle, DefenseContext, make_generator
from robustkit.trainer import Trainer, TrainStep, model_loss
from robustkit_speech.params import WeightNoiseParams


class WeightNoise:
    """The ``weight-noise`` training defense."""

    def __init__(self, params: WeightNoiseParams):
        self.params = params

    def train(self, model: nn.Module, data: DataBundle, trainer: Trainer,
              ctx: DefenseContext) -> nn.Module:
        criterion = model_loss(model, data.info.task)
        gen = make_generator(ctx.seed, "weight-noise", device="cpu")
        sigma, biases = self.params.sigma, self.params.biases

        def loss(step: TrainStep) -> torch.Tensor:
            noisy = {}
            for name, p in step.model.named_parameters():
                if p.requires_grad and (biases or p.dim() > 1):
                    eps = torch.randn(p.shape, generator=gen).to(p.device, p.dtype)
                    noisy[name] = p + sigma * eps
            outputs = functional_call(step.model, noisy, (step.x,), strict=False)
            return criterion(outputs, step.y)

        # the default shuffling salt: the same batch order as training without noise
        return trainer.fit(model, data.x_train, data.y_train, loss=loss)
