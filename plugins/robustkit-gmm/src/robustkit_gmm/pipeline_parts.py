"""The pieces the pipeline builds: a linear model and the EM fit as a training defense."""

from __future__ import annotations

import math

import torch
from torch import nn

from robustkit import DataInfo, NoParams
from robustkit.data import DataBundle, DefenseContext
from robustkit.errors import DataError, PluginError
from robustkit_gmm.linear import MixtureLinearRegression
from robustkit_gmm.params import MixtureParams


class LinearBuilder:
    """``gmm-linear``: flatten, then one linear layer (what ``gmm-regression`` fits)."""

    def __init__(self, params: NoParams | None = None):
        pass

    def build(self, info: DataInfo) -> nn.Module:
        return nn.Sequential(nn.Flatten(), nn.Linear(math.prod(info.input_shape),
                                                     info.output_size))


class MixtureRegressionDefense:
    """``gmm-regression``: replaces gradient training of a linear model by the EM fit."""

    def __init__(self, params: MixtureParams):
        self.params = params
        self.estimator: MixtureLinearRegression | None = None

    def train(self, model: nn.Module, data: DataBundle, trainer, ctx: DefenseContext):
        linears = [m for m in model.modules() if isinstance(m, nn.Linear)]
        others = [m for m in model.modules() if isinstance(m, (nn.Conv1d, nn.Conv2d, nn.RNNBase))]
        if len(linears) != 1 or others or linears[0].out_features != 1:
            raise PluginError("gmm-regression fits a linear model with one output; use it with "
                              "model 'gmm-linear' (or use defense 'gmm-regularizer' for "
                              "neural networks)")
        if data.y_train.dim() != 2 or data.y_train.shape[1] != 1:
            raise DataError("gmm-regression: needs one regression target per sample")
        x = data.x_train.reshape(data.x_train.shape[0], -1).cpu().double().numpy()
        est = MixtureLinearRegression(self.params).fit(x, data.y_train.cpu().double().numpy())
        self.estimator = est
        layer = linears[0]
        with torch.no_grad():
            layer.weight.copy_(torch.as_tensor(est.coef_[None, :], dtype=layer.weight.dtype))
            layer.bias.fill_(est.intercept_)
        return model.eval()
