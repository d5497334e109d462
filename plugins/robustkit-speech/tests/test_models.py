"""DBLSTM: shapes, padding never leaks into the outputs, both objectives train."""

import pytest
import torch
from robustkit_speech.decoding import decode_batch
from robustkit_speech.metrics import error_rate
from robustkit_speech.models import DBLSTM
from robustkit_speech.params import DBLSTMParams
from robustkit_speech.sequences import input_lengths, phone_sequences

from robustkit.config import TrainingConfig
from robustkit.errors import DataError
from robustkit.trainer import Trainer, predict


def build(info, **kw):
    torch.manual_seed(0)
    return DBLSTM(DBLSTMParams(hidden=16, **kw)).build(info).eval()


@pytest.mark.parametrize("objective,width", [("framewise", 0), ("ctc", 1)])
def test_output_shape(corpus, objective, width):
    model = build(corpus.info, objective=objective)
    out = model(corpus.x_test[:3])
    assert out.shape == (3, corpus.info.input_shape[0], corpus.info.num_classes + width)


def test_padding_does_not_leak(corpus):
    """The backward direction starts at the last real frame: extra padding changes nothing."""
    model = build(corpus.info)
    x = corpus.x_test[:4]
    longer = torch.cat([x, torch.zeros(4, 30, x.shape[-1])], dim=1)
    n = int(input_lengths(x).max())
    with torch.no_grad():
        a, b = model(x), model(longer)
    mask = torch.arange(x.shape[1])[None, :] < input_lengths(x)[:, None]
    assert torch.allclose(a[mask], b[:, : x.shape[1]][mask], atol=1e-6)
    assert n < x.shape[1]


def test_wrong_inputs_are_refused(corpus):
    model = build(corpus.info)
    with pytest.raises(DataError, match="N x T x"):
        model(torch.zeros(2, 10, 3))


def _per(model, data):
    out = predict(model, data.x_test)
    hyp = decode_batch(out, input_lengths(data.x_test), data.info.num_classes)
    ref = phone_sequences(data.y_test)
    return error_rate([list(map(str, r)) for r in ref], [list(map(str, h)) for h in hyp])


@pytest.mark.slow
def test_framewise_trains(corpus, trained):
    """Trained with its own training_loss through the kernel trainer (the ``trained`` fixture),
    PER drops far below the untrained model's (which is ~100%)."""
    before = _per(build(corpus.info), corpus)
    after = _per(trained, corpus)
    assert before > 0.8
    assert after < 0.6 * before


@pytest.mark.slow
def test_ctc_trains(corpus):
    model = build(corpus.info, objective="ctc")
    before = _per(model, corpus)
    trainer = Trainer(TrainingConfig(epochs=25, lr=0.02, batch_size=8), corpus.info.task, seed=0)
    trainer.fit(model.train(), corpus.x_train, corpus.y_train)
    after = _per(model, corpus)
    assert before > 0.8
    assert after < 0.6 * before
