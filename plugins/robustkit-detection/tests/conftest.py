"""A tiny seeded detection set-up shared by the tests: 32x32 sprout images, a narrow detector
trained for a few seconds, and an Evaluation helper."""

import pytest
import torch
from robustkit_detection.detector import SproutDetectorBuilder
from robustkit_detection.params import DetectorParams, SproutParams
from robustkit_detection.sprouts import TeaSprouts

from robustkit.config import TrainingConfig
from robustkit.data import DataBundle, Evaluation
from robustkit.trainer import Trainer, predict

TINY_DATA = SproutParams(n_train=192, n_test=48, image_size=32, max_sprouts=3)
TINY_TRAINING = TrainingConfig(epochs=12, lr=0.006, batch_size=32)


def tiny_bundle(seed: int = 0) -> DataBundle:
    return TeaSprouts(TINY_DATA).load(seed)


def build_model(info, seed: int = 0, **flags):
    torch.manual_seed(seed)
    return SproutDetectorBuilder(DetectorParams(width=8, **flags)).build(info)


def evaluation(model, data: DataBundle, x=None) -> Evaluation:
    x_clean = data.x_test
    x = x_clean if x is None else x
    return Evaluation(data.y_test, predict(model, x), x, x_clean, predict(model, x_clean),
                      data.info)


@pytest.fixture(scope="session")
def data() -> DataBundle:
    return tiny_bundle(0)


@pytest.fixture(scope="session")
def trained(data):
    torch.set_num_threads(1)
    model = build_model(data.info)
    return Trainer(TINY_TRAINING, data.info.task, seed=0).fit(model, data.x_train, data.y_train)


@pytest.fixture
def build():
    """build(info, seed=0, **module_flags) -> a narrow, seeded detector."""
    return build_model


@pytest.fixture
def evaluate():
    """evaluate(model, data, x=None) -> an Evaluation on the test split (or on ``x``)."""
    return evaluation
