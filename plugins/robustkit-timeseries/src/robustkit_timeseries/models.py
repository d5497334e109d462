"""Forecasting models over windows (N x T x F) -> (N, horizon * K).

- :class:`NARX`: a tapped-delay-line network (the window is the delay line of the exogenous
  inputs and of the past outputs, which are among the inputs), open-loop trained; closed-loop
  prediction feeds predictions back (:mod:`robustkit_timeseries.forecast`).
- :class:`PlainRNN`: an Elman RNN, the baseline of equal size for the chaotic RNN.
- :class:`ChaoticRNN`: an Elman RNN whose tanh is replaced by a Lee oscillator per unit.
- :class:`BiLSTM`: a bidirectional LSTM with dropout.
"""

from __future__ import annotations

import math

import numpy as np
import torch
from torch import nn

from robustkit import DataInfo
from robustkit.errors import ParamsError
from robustkit_timeseries.params import BiLSTMParams, ChaoticRNNParams, NARXParams, RNNParams
from robustkit_timeseries.preprocess import check_wavelet, wavelet_packet_denoise


def _shape(info: DataInfo, name: str) -> tuple[int, int, int, int]:
    if len(info.input_shape) != 2:
        raise ParamsError(f"{name} expects sequence inputs (window x features), got input shape "
                          f"{info.input_shape}")
    window, features = info.input_shape
    horizon = int(info.extra.get("horizon", 1))
    out = info.output_size
    return window, features, horizon, out


class _Denoise(torch.autograd.Function):
    """Wavelet-packet denoising in the forward pass; identity gradient in the backward pass
    (straight-through, BPDA of Athalye et al. 2018), so gradient attacks still see a useful
    gradient instead of none."""

    @staticmethod
    def forward(ctx, x, wavelet, level, scale):  # noqa: D401
        out = wavelet_packet_denoise(x.detach().cpu().double().numpy(), wavelet, level, scale,
                                     axis=1)
        return torch.from_numpy(out).to(x.dtype).to(x.device)

    @staticmethod
    def backward(ctx, grad):
        return grad, None, None, None


class NARX(nn.Module):
    """NARX with optional wavelet-packet denoising and forward differencing (Ge et al. 2024).

    With ``difference`` the network sees the window's first differences plus the last level
    (the level is needed: the dynamics are nonlinear in it) and predicts the changes of the
    target from its last observed value; the output is their cumulative sum from that value,
    the exact inverse of differencing. Without a target among the inputs, it predicts levels.
    """

    def __init__(self, window: int, features: int, horizon: int, out: int,
                 target_index: list[int] | None, p: NARXParams):
        super().__init__()
        self.p, self.horizon = p, horizon
        self.k = out // horizon
        self.target_index = target_index if target_index and len(target_index) == self.k \
            else None
        # differencing: (window - 1) differences plus the last level, per feature
        width = (window - 1 + int(p.level_input)) * features if p.difference \
            else window * features
        layers: list[nn.Module] = []
        for _ in range(p.layers):
            layers += [nn.Linear(width, p.hidden), nn.Tanh()]
            width = p.hidden
        layers.append(nn.Linear(width, out))
        self.net = nn.Sequential(*layers)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if self.p.denoise:
            x = _Denoise.apply(x, self.p.wavelet, self.p.level, self.p.threshold_scale)
        if not self.p.difference:
            return self.net(x.flatten(1))
        last = x[:, -1, :]
        feats = (x[:, 1:] - x[:, :-1]).flatten(1)
        if self.p.level_input:
            feats = torch.cat([feats, last], dim=1)
        delta = self.net(feats)
        if self.target_index is None:
            return delta
        steps = delta.view(-1, self.horizon, self.k).cumsum(1)
        return (last[:, self.target_index].unsqueeze(1) + steps).flatten(1)


class NARXBuilder:
    def __init__(self, params: NARXParams):
        if params.denoise:
            check_wavelet(params.wavelet)
        self.params = params

    def build(self, info: DataInfo) -> nn.Module:
        window, features, horizon, out = _shape(info, "narx")
        return NARX(window, features, horizon, out, info.extra.get("target_index"),
                    self.params)


class PlainRNN(nn.Module):
    def __init__(self, features: int, out: int, hidden: int):
        super().__init__()
        self.rnn = nn.RNN(features, hidden, batch_first=True, nonlinearity="tanh")
        self.head = nn.Linear(hidden, out)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h, _ = self.rnn(x)
        return self.head(h[:, -1])


class RNNBuilder:
    def __init__(self, params: RNNParams):
        self.params = params

    def build(self, info: DataInfo) -> nn.Module:
        _, features, _, out = _shape(info, "rnn")
        return PlainRNN(features, out, self.params.hidden)


# Lee oscillator constants, in Lee's (2004) sign convention below. These are the values used
# for Lee-oscillator activations in chaotic LSTM work; with k = 50 and mu = 1 the mean response
# is odd, rises steeply for tiny stimuli, then plateaus (about 0.2-0.25 for 0.05 < s < 0.2)
# while the oscillation is chaotic/transient, and joins tanh(s) for |s| > 0.3.
LEE_A = (0.6, 0.6, -0.5, 0.5)  # a1..a4: E <- L, E, I, s
LEE_B = (-0.6, -0.6, -0.5, 0.5)  # b1..b4: I <- L, E, I, s


def lee_oscillator(s: torch.Tensor, iterations: int, k: float, mu: float) -> torch.Tensor:
    """Mean output of a Lee oscillator driven by stimulus ``s`` for ``iterations`` steps.

    E <- tanh(mu (a1 L + a2 E - a3 I + a4 s)),  I <- tanh(mu (b1 L - b2 E - b3 I + b4 s)),
    Omega = tanh(mu s),  L = (E - I) exp(-k s^2) + Omega,  from E = I = 0.

    The excitatory (E) / inhibitory (I) pair oscillates for weak stimuli; exp(-k s^2) damps
    that term for strong ones, leaving tanh. Starting from zero keeps the response odd
    (L(-s) = -L(s), L(0) = 0); averaging the iterations makes it a smooth, differentiable
    activation.
    """
    a1, a2, a3, a4 = LEE_A
    b1, b2, b3, b4 = LEE_B
    e = torch.zeros_like(s)
    i = torch.zeros_like(s)
    omega = torch.tanh(mu * s)
    damp = torch.exp(-k * s * s)
    total = torch.zeros_like(s)
    for _ in range(iterations):
        ell = (e - i) * damp + omega
        e, i = (torch.tanh(mu * (a1 * ell + a2 * e - a3 * i + a4 * s)),
                torch.tanh(mu * (b1 * ell - b2 * e - b3 * i + b4 * s)))
        total = total + (e - i) * damp + omega
    return total / iterations


class ChaoticRNN(nn.Module):
    """h_t = LeeOscillator(W x_t + U h_{t-1} + b): one oscillator per unit."""

    def __init__(self, features: int, out: int, p: ChaoticRNNParams):
        super().__init__()
        self.p = p
        self.inp = nn.Linear(features, p.hidden)
        self.rec = nn.Linear(p.hidden, p.hidden, bias=False)
        bound = 1 / math.sqrt(p.hidden)  # as nn.RNN, so both start alike
        nn.init.uniform_(self.rec.weight, -bound, bound)
        self.head = nn.Linear(p.hidden, out)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h = x.new_zeros(x.shape[0], self.p.hidden)
        drive = self.inp(x)
        for t in range(x.shape[1]):
            s = self.p.stimulus_gain * (drive[:, t] + self.rec(h))
            h = lee_oscillator(s, self.p.iterations, self.p.k, self.p.mu)
        return self.head(h)


class ChaoticRNNBuilder:
    def __init__(self, params: ChaoticRNNParams):
        self.params = params

    def build(self, info: DataInfo) -> nn.Module:
        _, features, _, out = _shape(info, "chaotic-rnn")
        return ChaoticRNN(features, out, self.params)


class BiLSTM(nn.Module):
    def __init__(self, features: int, out: int, p: BiLSTMParams):
        super().__init__()
        self.lstm = nn.LSTM(features, p.units, num_layers=p.layers, batch_first=True,
                            bidirectional=True, dropout=p.dropout if p.layers > 1 else 0.0)
        self.drop = nn.Dropout(p.dropout)
        self.head = nn.Linear(2 * p.units, out)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        h, _ = self.lstm(x)
        units = h.shape[-1] // 2
        # forward direction after the last step, backward direction after the first: each
        # has read the whole window
        last = torch.cat([h[:, -1, :units], h[:, 0, units:]], dim=1)
        return self.head(self.drop(last))


class BiLSTMBuilder:
    def __init__(self, params: BiLSTMParams):
        self.params = params

    def build(self, info: DataInfo) -> nn.Module:
        _, features, _, out = _shape(info, "bilstm")
        return BiLSTM(features, out, self.params)


def count_parameters(model: nn.Module) -> int:
    return int(np.sum([p.numel() for p in model.parameters()]))
