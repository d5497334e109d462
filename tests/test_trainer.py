"""The trainer's choice of loss: a model that brings its own ``training_loss`` is trained on it."""

import torch

from robustkit.components import Task
from robustkit.config import TrainingConfig
from robustkit.trainer import Trainer


class _OwnLoss(torch.nn.Module):
    """A regressor whose own loss is the L1 distance; calls are counted."""

    def __init__(self):
        super().__init__()
        self.lin = torch.nn.Linear(3, 1)
        self.calls = 0

    def forward(self, x):
        return self.lin(x)

    def training_loss(self, outputs, targets):
        self.calls += 1
        return (outputs - targets).abs().mean()


def test_model_training_loss_replaces_the_task_default():
    gen = torch.Generator().manual_seed(0)
    x = torch.randn(64, 3, generator=gen)
    y = x @ torch.tensor([[1.0], [-2.0], [0.5]])
    model = _OwnLoss()
    trainer = Trainer(TrainingConfig(epochs=3, batch_size=16, lr=0.05), Task.REGRESSION, seed=0)
    trainer.fit(model, x, y)
    assert model.calls == 3 * 4
    assert trainer.history[-1] < trainer.history[0]


def test_a_defense_loss_still_wins_over_the_model_loss():
    x, y = torch.randn(32, 3), torch.randn(32, 1)
    model = _OwnLoss()
    trainer = Trainer(TrainingConfig(epochs=1, batch_size=16), Task.REGRESSION, seed=0)
    trainer.fit(model, x, y, loss=lambda s: ((s.model(s.x) - s.y) ** 2).mean())
    assert model.calls == 0


def test_a_model_without_trainable_parameters_is_returned_untrained():
    # classical, training-free image-to-image methods: no optimiser, no loop, eval mode
    model = torch.nn.Sequential(torch.nn.Identity())
    trainer = Trainer(TrainingConfig(epochs=5), Task.IMAGE_TO_IMAGE, seed=0)
    out = trainer.fit(model.train(), torch.rand(4, 3, 8, 8), torch.rand(4, 3, 8, 8))
    assert out is model and not out.training and trainer.history == []
