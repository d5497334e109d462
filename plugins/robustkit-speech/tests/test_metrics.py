"""Edit-distance metrics against hand-computed values, and the decoders against brute force."""

import itertools
import math

import numpy as np
import pytest
import torch
from robustkit_speech.decoding import best_path, prefix_beam_search
from robustkit_speech.metrics import (
    FrameErrorRate,
    PhoneErrorRate,
    WordErrorRate,
    error_rate,
)
from robustkit_speech.params import DecodeParams
from robustkit_speech.sequences import PAD, collapse
from robustkit_speech.words import WordLoop

from robustkit.components import DataInfo, Modality, Task
from robustkit.data import Evaluation
from robustkit.errors import DataError

NAMES = ("sil", "a", "b", "c")
LEXICON = {"ab": ("a", "b"), "c": ("c",), "ba": ("b", "a")}
INFO = DataInfo(Task.SEQUENCE_LABELLING, Modality.SEQUENCE, (6, 2), (-8.0, 8.0),
                num_classes=4, class_names=NAMES, extra={"lexicon": LEXICON, "silence": "sil"})


def test_error_rate_hand_computed():
    # ref a b c d vs hyp a x c: 1 substitution (b->x) + 1 deletion (d) = 2 errors / 4
    assert error_rate([["a", "b", "c", "d"]], [["a", "x", "c"]]) == pytest.approx(0.5)
    # two utterances pooled: (2 + 2 deletions) / (4 + 2) reference tokens
    assert error_rate([["a", "b", "c", "d"], ["x", "y"]], [["a", "x", "c"], []]) == (
        pytest.approx(4 / 6))
    # insertions count, so the rate can exceed 1
    assert error_rate([["a"]], [["b", "c", "d"]]) == pytest.approx(3.0)
    assert error_rate([["a", "b"]], [["a", "b"]]) == 0.0
    assert math.isnan(error_rate([], []))


def test_error_rate_rejects_empty_reference():
    with pytest.raises(DataError, match="reference transcript is empty"):
        error_rate([["a"], []], [["a"], ["b"]])


def _evaluation(y_rows, pred_rows, width=4, x_lengths=None):
    t = 6
    y = torch.full((len(y_rows), t), PAD)
    outputs = torch.zeros(len(y_rows), t, width)
    x = torch.zeros(len(y_rows), t, 2)
    for i, (labels, preds) in enumerate(zip(y_rows, pred_rows, strict=True)):
        y[i, : len(labels)] = torch.tensor(labels)
        outputs[i, torch.arange(len(preds)), torch.tensor(preds)] = 5.0
        n = len(labels) if x_lengths is None else x_lengths[i]
        x[i, :n] = 1.0
    return Evaluation(y, outputs, x, x, outputs, INFO)


def test_frame_error_rate_hand_computed():
    # frames: 1 wrong of 5, 2 wrong of 4 -> 3 / 9
    ev = _evaluation([[0, 1, 1, 2, 0], [0, 3, 3, 0]], [[0, 1, 2, 2, 0], [1, 3, 2, 0]])
    assert FrameErrorRate().compute(ev) == pytest.approx(3 / 9)


def test_frame_error_rate_undefined_when_lengths_moved():
    ev = _evaluation([[0, 1, 1, 2, 0]], [[0, 1, 1, 2, 0]], x_lengths=[4])
    assert math.isnan(FrameErrorRate().compute(ev))


def test_phone_error_rate_hand_computed():
    # ref sil a b sil (4), hyp sil a a c sil -> merged sil a c sil: 1 substitution
    # ref sil c sil (3), hyp sil sil sil -> sil: 2 deletions; total 3 / 7
    ev = _evaluation([[0, 1, 1, 2, 0], [0, 3, 0]], [[0, 1, 1, 3, 0], [0, 0, 0]])
    assert PhoneErrorRate(DecodeParams()).compute(ev) == pytest.approx(3 / 7)


def test_word_error_rate_hand_computed():
    # ref words: "ab c" ; hyp phones a b a -> "ab" + ... closest: "ab" then "a"? The word
    # loop picks ab + ba minus one phone (1 edit) or ab (1 insertion): each 1 edit on phones.
    # Take an unambiguous case: ref sil a b c sil -> [ab, c]; hyp sil b a c sil -> [ba, c]
    ev = _evaluation([[0, 1, 2, 3, 0]], [[0, 2, 1, 3, 0]])
    assert WordErrorRate(DecodeParams()).compute(ev) == pytest.approx(1 / 2)
    perfect = _evaluation([[0, 1, 2, 3, 0]], [[0, 1, 2, 3, 0]])
    assert WordErrorRate(DecodeParams()).compute(perfect) == 0.0


def test_word_loop_segments_and_corrects():
    loop = WordLoop(LEXICON)
    assert loop.decode(["a", "b", "c", "b", "a"]) == ["ab", "c", "ba"]
    assert loop.decode([]) == []
    # one substituted phone: "a x c" is closest to "ab c" (1 edit)
    assert loop.decode(["a", "x", "c"]) == ["ab", "c"]


def test_metrics_reject_wrong_shapes():
    bad = Evaluation(torch.zeros(2, 6, dtype=torch.long), torch.zeros(2, 4), torch.zeros(2, 6, 2),
                     torch.zeros(2, 6, 2), torch.zeros(2, 4), INFO)
    with pytest.raises(DataError, match="N x T labels"):
        PhoneErrorRate(DecodeParams()).compute(bad)


def test_collapse_and_best_path():
    assert collapse([1, 1, 4, 1, 2, 2, 4, 4, 2], blank=4) == [1, 1, 2, 2]
    scores = torch.tensor([[0.0, 5, 0], [0, 5, 0], [5, 0, 0], [0, 0, 5]])  # blank = 0
    assert best_path(scores, 4, blank=0) == [1, 2]


def _ctc_sequence_probs(probs: np.ndarray, blank: int) -> dict:
    t, k = probs.shape
    out: dict = {}
    for path in itertools.product(range(k), repeat=t):
        seq = tuple(collapse(path, blank=blank))
        out[seq] = out.get(seq, 0.0) + float(np.prod(probs[np.arange(t), path]))
    return out


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_prefix_beam_search_finds_the_most_probable_sequence(seed):
    rng = np.random.default_rng(seed)
    probs = rng.dirichlet(np.full(3, 0.7), size=5)
    exact = _ctc_sequence_probs(probs, blank=2)
    best = max(exact, key=exact.get)
    got = prefix_beam_search(np.log(probs), blank=2, beam_width=64)
    assert tuple(got) == best


def test_beam_can_beat_best_path():
    # best path is "blank blank" (0.6 * 0.6 = 0.36) but label 1 in either frame sums to 0.64
    probs = np.array([[0.4, 0.6], [0.4, 0.6]])  # class 0 = label, class 1 = blank
    assert best_path(torch.tensor(np.log(probs)), 2, blank=1) == []
    assert prefix_beam_search(np.log(probs), blank=1, beam_width=4) == [0]
