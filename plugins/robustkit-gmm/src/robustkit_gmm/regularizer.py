"""Gaussian-mixture and adaptive regularisation for neural models (training defense).

The loss the kernel's Trainer minimises becomes

    task term + strength * mean_j [-log sum_k pi_k N(w_j; 0, s_k^2)]
              + sparsity * mean_j |w_j| / (|w_j^old| + eps)

- the mixture prior over the weights w (every weight matrix or kernel, not biases) is a scale
  mixture of zero-mean Gaussians refitted by EM every ``refit_every`` epochs (soft weight
  sharing, Nowlan & Hinton 1992): weights the narrow component claims are pulled to zero,
  those the wide one claims are left nearly free;
- the adaptive L1 term reweights each weight by its previous magnitude (reweighted L1,
  Candes et al. 2008; the adaptive lasso of Zou 2006), so small weights are pushed to zero
  and large ones barely shrunk;
- for regression, with ``residual_mixture``, the squared error is replaced by the negative
  log-likelihood of a Gaussian mixture fitted by EM to the training residuals (the noise
  model of Guo 2023), so heavy-tailed outliers get small weight: this is how the LSTM
  forecasters and other regression networks use it.
"""

from __future__ import annotations

import math

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn

from robustkit import Task
from robustkit.data import DataBundle, DefenseContext
from robustkit.trainer import predict
from robustkit_gmm.mixture import NoiseMixture
from robustkit_gmm.params import RegularizerParams

_EPS = 1e-3


def _penalised(model: nn.Module) -> list[nn.Parameter]:
    return [p for p in model.parameters() if p.requires_grad and p.dim() >= 2]


def mixture_nll(values: torch.Tensor, mix: NoiseMixture) -> torch.Tensor:
    """Per-value -log sum_k pi_k N(v; 0, var_k) as a differentiable torch expression."""
    var = torch.as_tensor(mix.variances, dtype=values.dtype, device=values.device)
    logw = torch.as_tensor(np.log(mix.weights + 1e-300), dtype=values.dtype,
                           device=values.device)
    v = values.reshape(-1, 1)
    joint = logw - 0.5 * (torch.log(2 * math.pi * var) + v**2 / var)
    return -torch.logsumexp(joint, dim=1)


class MixtureRegularizedLoss:
    """The TrainStep loss; state (fitted mixtures, old weights) is refreshed per epoch."""

    def __init__(self, params: RegularizerParams, model: nn.Module, data: DataBundle):
        self.p = params
        self.data = data
        self.task = data.info.task
        self.fitted = -1
        self.weight_mix: NoiseMixture | None = None
        self.resid_mix: NoiseMixture | None = None
        self.old: list[torch.Tensor] = []

    def _refit(self, model: nn.Module, epoch: int) -> None:
        if self.fitted >= 0 and epoch - self.fitted < self.p.refit_every:
            return
        self.fitted = epoch
        params = _penalised(model)
        flat = torch.cat([p.detach().flatten() for p in params]).cpu().double().numpy()
        self.weight_mix = NoiseMixture.initial(flat, self.p.components).fit(flat, iters=30)
        self.old = [p.detach().abs().clone() for p in params]
        if self.task is Task.REGRESSION and self.p.residual_mixture:
            was = model.training
            out = predict(model, self.data.x_train)
            model.train(was)
            resid = (self.data.y_train.to(out.device) - out).flatten().cpu().double().numpy()
            start = self.resid_mix or NoiseMixture.initial(resid, 2)
            self.resid_mix = start.fit(resid, iters=30)

    def task_loss(self, out: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        if self.task is Task.REGRESSION:
            if self.p.residual_mixture and self.resid_mix is not None:
                return mixture_nll((y - out).flatten(), self.resid_mix).mean()
            return F.mse_loss(out, y)
        return F.cross_entropy(out, y)

    def __call__(self, step) -> torch.Tensor:
        self._refit(step.model, step.epoch)
        loss = self.task_loss(step.model(step.x), step.y)
        params = _penalised(step.model)
        if not params:
            return loss
        count = sum(p.numel() for p in params)
        if self.p.strength > 0 and self.weight_mix is not None:
            prior = sum(mixture_nll(p, self.weight_mix).sum() for p in params) / count
            loss = loss + self.p.strength * prior
        if self.p.sparsity > 0:
            l1 = sum((p.abs() / (o + _EPS)).sum() for p, o in zip(params, self.old, strict=True))
            loss = loss + self.p.sparsity * l1 / count
        return loss


class MixtureRegularizer:
    """Training defense: trains with :class:`MixtureRegularizedLoss`."""

    def __init__(self, params: RegularizerParams):
        self.params = params

    def train(self, model: nn.Module, data: DataBundle, trainer, ctx: DefenseContext):
        loss = MixtureRegularizedLoss(self.params, model, data)
        return trainer.fit(model, data.x_train, data.y_train, loss=loss)
