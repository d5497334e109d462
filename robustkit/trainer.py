"""The kernel's standard supervised training loop. Training defenses call it with their own
loss (``loss=``) or replace it entirely."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from robustkit.components import Task
from robustkit.config import TrainingConfig
from robustkit.data import make_generator

if TYPE_CHECKING:
    import torch
    from torch import nn


@dataclass
class TrainStep:
    """One optimisation step's inputs, handed to a custom loss.

    :param model: the model being trained (in train mode).
    :param x: the batch inputs. :param y: the batch labels.
    :param index: positions of the batch samples in the training set (for per-sample weights).
    :param epoch: the current epoch, from 0. :param epochs: the number of epochs.
    """

    model: nn.Module
    x: torch.Tensor
    y: torch.Tensor
    index: torch.Tensor
    epoch: int
    epochs: int


LossFn = Callable[[TrainStep], "torch.Tensor"]


def default_loss(task: Task) -> Callable[[torch.Tensor, torch.Tensor], torch.Tensor]:
    import torch.nn.functional as F

    if task in (Task.CLASSIFICATION, Task.ANOMALY_DETECTION, Task.SEQUENCE_LABELLING):
        return F.cross_entropy
    return F.mse_loss


def model_loss(model: nn.Module, task: Task) -> Callable[[torch.Tensor, torch.Tensor],
                                                          torch.Tensor]:
    """The model's own ``training_loss`` when it has one, else the task's default loss."""
    own = getattr(model, "training_loss", None)
    return own if callable(own) else default_loss(task)


class Trainer:
    """Trains a model with the configured optimiser, epochs and batch size, deterministically
    for a given seed."""

    def __init__(self, config: TrainingConfig, task: Task, seed: int, device: str = "cpu"):
        self.config = config
        self.task = task
        self.seed = seed
        self.device = device
        self.history: list[float] = []

    def make_optimizer(self, model: nn.Module) -> torch.optim.Optimizer:
        import torch

        params = [p for p in model.parameters() if p.requires_grad]
        c = self.config
        if c.optimizer == "sgd":
            return torch.optim.SGD(params, lr=c.lr, momentum=c.momentum,
                                   weight_decay=c.weight_decay)
        if c.optimizer == "adamw":
            return torch.optim.AdamW(params, lr=c.lr, weight_decay=c.weight_decay)
        return torch.optim.Adam(params, lr=c.lr, weight_decay=c.weight_decay)

    def fit(
        self,
        model: nn.Module,
        x: torch.Tensor,
        y: torch.Tensor,
        *,
        loss: LossFn | None = None,
        epochs: int | None = None,
        salt: str = "train",
    ) -> nn.Module:
        """Train ``model`` on ``(x, y)`` and return it in eval mode.

        :param loss: ``loss(step) -> scalar tensor``; by default the model's own
            ``training_loss(outputs, targets)`` if it defines one, else cross-entropy for
            classification-like tasks and MSE otherwise, on ``model(step.x)``.
        :param epochs: overrides the config's epochs (e.g. for a teacher).
        :param salt: names this fit's random stream, so two fits in one run shuffle differently.

        A model without trainable parameters is returned unchanged (in eval mode).
        """
        import torch

        epochs = self.config.epochs if epochs is None else epochs
        self.history = []
        if not any(p.requires_grad for p in model.parameters()):
            # nothing to learn (a classical, training-free image-to-image method): no optimiser
            return model.to(self.device).eval()
        criterion = model_loss(model, self.task)
        model.to(self.device).train()
        optimizer = self.make_optimizer(model)
        gen = make_generator(self.seed, salt)
        n = x.shape[0]
        batches = _Batches(x, y, self.device)
        self.history = []
        for epoch in range(epochs):
            order = torch.randperm(n, generator=gen)
            # summed on the device: reading the loss back every step would stall a GPU
            total = torch.zeros((), dtype=torch.float64, device=self.device)
            seen = 0
            for start in range(0, n, self.config.batch_size):
                index = order[start : start + self.config.batch_size]
                xb, yb = batches.take(index)
                index = index.to(self.device)
                if loss is None:
                    value = criterion(model(xb), yb)
                else:
                    value = loss(TrainStep(model, xb, yb, index, epoch, epochs))
                optimizer.zero_grad(set_to_none=True)
                value.backward()
                optimizer.step()
                total += value.detach().double() * xb.shape[0]
                seen += xb.shape[0]
            mean = float(total) / max(seen, 1)  # one host sync per epoch
            if not math.isfinite(mean):
                raise FloatingPointError(
                    f"training loss became {mean} in epoch {epoch}; "
                    "lower training.lr or check the data for extreme values"
                )
            self.history.append(mean)
        return model.eval()


class _Batches:
    """Training tensors, handed out one batch at a time on the training device.

    On CUDA the data stay in pinned host memory and each batch is copied asynchronously, so a
    data set larger than the GPU's memory still trains; elsewhere they are moved once.
    """

    def __init__(self, x: torch.Tensor, y: torch.Tensor, device: str):
        import torch

        self.device = torch.device(device)
        self.per_batch = self.device.type == "cuda"
        if self.per_batch:
            self.x, self.y = x.cpu().pin_memory(), y.cpu().pin_memory()
        else:
            self.x, self.y = x.to(self.device), y.to(self.device)

    def take(self, index: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        if not self.per_batch:
            index = index.to(self.device)
            return self.x[index], self.y[index]
        xb, yb = self.x[index].pin_memory(), self.y[index].pin_memory()
        return (xb.to(self.device, non_blocking=True), yb.to(self.device, non_blocking=True))


def predict(model: nn.Module, x: torch.Tensor, batch_size: int = 512) -> torch.Tensor:
    """Model outputs for ``x`` in batches, without building a graph."""
    import torch

    model.eval()
    outs = []
    with torch.inference_mode():
        for start in range(0, x.shape[0], batch_size):
            outs.append(model(x[start : start + batch_size]))
    if not outs:
        return torch.empty(0)
    return torch.cat(outs)
