"""Putting a model into attack state for the duration of an attack, and back.

During an attack the model is in eval mode, its parameters need no gradient (autograd then
neither saves what weight gradients would need nor computes them) and, on the fast path,
convolutional weights are in channels-last memory format. Everything is restored afterwards:
the same ``Parameter`` objects, the same data, the same training flag, so an optimiser that
holds the parameters (adversarial training) is unaffected.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

import torch
from torch import nn

# Smallest spatial size (H * W) at which channels-last was measured faster on CPU: 1.17-1.33x
# at 32x32 (benchmarks/attacks.py); on the 8x8 digits it was slower, so it stays off there.
_CHANNELS_LAST_MIN_PIXELS = 16 * 16


def channels_last_helps(model: nn.Module, x: torch.Tensor) -> bool:
    """Whether the fast path should run ``model`` on ``x`` in channels-last format."""
    if x.dim() != 4 or x.device.type != "cpu":
        return False  # measured on CPU only; GPU fp32 gains depend on the card
    if x.shape[2] * x.shape[3] < _CHANNELS_LAST_MIN_PIXELS:
        return False
    return any(isinstance(m, nn.Conv2d) for m in model.modules())


@contextlib.contextmanager
def attack_state(model: nn.Module, x: torch.Tensor, *,
                 exact: bool) -> Iterator[torch.memory_format]:
    """Yield the memory format attack inputs should use; restore the model on exit."""
    was_training = model.training
    trainable = [p for p in model.parameters() if p.requires_grad]
    fmt = torch.contiguous_format
    saved: list[tuple[nn.Parameter, torch.Tensor]] = []
    if not exact and channels_last_helps(model, x):
        fmt = torch.channels_last
        for p in model.parameters():
            if p.dim() == 4:
                saved.append((p, p.data))
                p.data = p.data.contiguous(memory_format=torch.channels_last)
    # cuDNN refuses RNN backward in eval mode; the native kernels do not.
    has_rnn = any(isinstance(m, nn.RNNBase) for m in model.modules())
    cudnn_off = has_rnn and x.device.type == "cuda"
    try:
        _set_mode(model, False)
        for p in trainable:
            p.requires_grad_(False)
        with contextlib.ExitStack() as stack:
            stack.enter_context(torch.enable_grad())
            if cudnn_off:
                stack.enter_context(torch.backends.cudnn.flags(enabled=False))
            yield fmt
    finally:
        for p, data in saved:
            p.data = data
        for p in trainable:
            p.requires_grad_(True)
        _set_mode(model, was_training)


def _set_mode(model: nn.Module, training: bool) -> None:
    """Switch train/eval; a ``torch.export`` program cannot ("Calling train()/eval() is not
    supported") and is already fixed in the mode it was exported in, so it is left as is."""
    try:
        model.train(training)
    except NotImplementedError:
        pass
