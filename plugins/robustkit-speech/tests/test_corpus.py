"""The synthetic phone corpus keeps its conventions and is seeded."""

import pytest
import torch
from robustkit_speech.sequences import PAD, input_lengths, label_lengths, phone_sequences
from robustkit_speech.words import WordLoop

from robustkit.components import Kind
from robustkit.errors import ParamsError
from robustkit.plugins import get_registry

from .conftest import small_corpus


def test_shapes_padding_and_bounds(corpus):
    info = corpus.info
    corpus.validate("synthetic-phones")
    for x, y in ((corpus.x_train, corpus.y_train), (corpus.x_test, corpus.y_test)):
        assert x.shape[1:] == info.input_shape and y.shape == x.shape[:2]
        lengths = label_lengths(y)
        # models read lengths from the inputs: they must agree with the labels'
        assert torch.equal(input_lengths(x), lengths)
        pad = y == PAD
        assert (x[pad] == 0).all()
        assert (y[~pad] >= 0).all() and (y[~pad] < info.num_classes).all()
        assert lengths.max() < x.shape[1]  # headroom for slowed-down speech


def test_phone_sequences_spell_the_words(corpus):
    """Frame labels collapse to sil + the words' pronunciations + sil, and back to the words."""
    names = corpus.info.class_names
    lexicon = corpus.info.extra["lexicon"]
    loop = WordLoop(lexicon)
    for seq, words in zip(phone_sequences(corpus.y_test), corpus.extras["words_test"],
                          strict=True):
        phones = [names[i] for i in seq]
        expected = ["sil", *[p for w in words for p in lexicon[w]], "sil"]
        assert phones == expected
        assert loop.decode(phones[1:-1]) == words


def test_lexicon_is_prefix_free(corpus):
    prons = list(corpus.info.extra["lexicon"].values())
    for a in prons:
        for b in prons:
            assert a is b or a[: len(b)] != b


def test_seeded():
    a, b, c = small_corpus(3), small_corpus(3), small_corpus(4)
    assert torch.equal(a.x_train, b.x_train) and torch.equal(a.y_test, b.y_test)
    assert not torch.equal(a.x_train[:, :10], c.x_train[:, :10])


def test_speakers_differ():
    """Test speakers are unseen: a model of train-speaker phone means fits test frames worse."""
    data = small_corpus(0, frame_noise=0.0, n_train=40, n_test=40)
    f = data.x_train.shape[-1]

    def phone_means(x, y):
        return torch.stack([x[y == k].mean(0) for k in range(data.info.num_classes)])

    train_means = phone_means(data.x_train, data.y_train)
    test_means = phone_means(data.x_test, data.y_test)
    err_test = (data.x_test[data.y_test != PAD] - train_means[data.y_test[data.y_test != PAD]])
    err_self = (data.x_test[data.y_test != PAD] - test_means[data.y_test[data.y_test != PAD]])
    assert err_test.pow(2).sum() / f > 1.1 * err_self.pow(2).sum() / f


def test_bad_params_are_refused():
    spec = get_registry().get(Kind.DATASET, "synthetic-phones")
    with pytest.raises(ParamsError, match="min_words"):
        spec.build({"min_words": 5, "max_words": 2})
    with pytest.raises(ValueError, match="prefix-free"):
        small_corpus(0, n_phones=4, n_words=200)
