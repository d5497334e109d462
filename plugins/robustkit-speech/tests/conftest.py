"""Shared small seeded data for the speech tests."""

import pytest
import torch
from robustkit_speech.corpus import SyntheticPhones
from robustkit_speech.params import SyntheticPhonesParams

torch.set_num_threads(1)


def small_corpus(seed: int = 0, **overrides):
    values = {"n_train": 48, "n_test": 24, "n_phones": 8, "n_words": 10, "n_features": 12,
              **overrides}
    return SyntheticPhones(SyntheticPhonesParams(**values)).load(seed)


@pytest.fixture(scope="session")
def corpus():
    return small_corpus()


@pytest.fixture(scope="session")
def trained(corpus):
    """A small framewise DBLSTM trained on the small corpus (shared: training is the slow part)."""
    from robustkit_speech.models import DBLSTM
    from robustkit_speech.params import DBLSTMParams

    from robustkit.config import TrainingConfig
    from robustkit.trainer import Trainer

    torch.manual_seed(0)
    model = DBLSTM(DBLSTMParams(hidden=16)).build(corpus.info)
    Trainer(TrainingConfig(epochs=12, lr=0.02, batch_size=8), corpus.info.task, seed=0).fit(
        model, corpus.x_train, corpus.y_train)
    return model.eval()
