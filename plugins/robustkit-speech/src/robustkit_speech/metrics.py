"""Frame, phone and word error rates of padded sequence outputs.

* **FER**: share of valid frames whose argmax phone differs from the frame label. Defined only
  for framewise outputs whose inputs keep the labels' lengths; CTC outputs (blank spikes) and
  inputs whose length a perturbation changed (speaking rate) give NaN, stored as "undefined".
* **PER**: total Levenshtein distance (substitutions + deletions + insertions) between decoded
  and reference phone sequences over the total reference length (Lee & Hon 1989 style, without
  folding). References are the frame labels with repeats merged; hypotheses are decoded over
  the frames the *inputs* hold (so a sped-up utterance is decoded over its shorter length).
* **WER**: the same on words: both phone strings (silence removed) are mapped to the closest
  word sequence under the data set's lexicon (:mod:`robustkit_speech.words`).

Edit distances come from jiwer (corpus-level, over every utterance of the evaluation).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import jiwer
import torch

from robustkit.data import Evaluation
from robustkit.errors import DataError
from robustkit_speech.decoding import decode_batch
from robustkit_speech.params import DecodeParams
from robustkit_speech.sequences import PAD, input_lengths, label_lengths, phone_sequences
from robustkit_speech.words import WordLoop


def error_rate(references: Sequence[Sequence[str]], hypotheses: Sequence[Sequence[str]]
               ) -> float:
    """Total edit distance over total reference tokens; NaN when there are no references."""
    refs = [" ".join(r) for r in references]
    if not refs or not any(refs):
        return math.nan
    if any(not r for r in refs):
        raise DataError("a reference transcript is empty; every utterance needs at least one "
                        "labelled token")
    if any(" " in tok or not tok for seq in (*references, *hypotheses) for tok in seq):
        raise DataError("token names must be non-empty and contain no spaces")
    out = jiwer.process_words(refs, [" ".join(h) for h in hypotheses])
    errors = out.substitutions + out.deletions + out.insertions
    return errors / (out.substitutions + out.deletions + out.hits)


def _check(ev: Evaluation) -> int:
    n_phones = ev.info.num_classes
    if n_phones is None:
        raise DataError("sequence error rates need DataInfo.num_classes (the phone count)")
    if ev.y_true.dim() != 2 or ev.outputs.dim() != 3:
        raise DataError(f"sequence error rates need N x T labels and N x T x K outputs; got "
                        f"{tuple(ev.y_true.shape)} and {tuple(ev.outputs.shape)}")
    if ev.outputs.shape[-1] not in (n_phones, n_phones + 1):
        raise DataError(f"outputs have {ev.outputs.shape[-1]} classes; expected {n_phones} "
                        f"(framewise) or {n_phones + 1} (CTC with a blank)")
    return n_phones


def _names(ev: Evaluation, seqs: list[list[int]]) -> list[list[str]]:
    names = ev.info.class_names or tuple(f"p{i}" for i in range(ev.info.num_classes or 0))
    return [[names[i] for i in s] for s in seqs]


class FrameErrorRate:
    """The ``frame-error-rate`` metric."""

    def __init__(self, params=None):
        self.params = params

    def compute(self, ev: Evaluation) -> float:
        if len(ev) == 0:
            return math.nan
        n_phones = _check(ev)
        if ev.outputs.shape[-1] != n_phones:
            return math.nan  # CTC outputs are not frame classifications
        valid = ev.y_true != PAD
        if not torch.equal(input_lengths(ev.x).cpu(), label_lengths(ev.y_true).cpu()):
            return math.nan  # a perturbation moved frames, so the alignment no longer holds
        wrong = (ev.outputs.argmax(-1) != ev.y_true) & valid
        return float(wrong.sum()) / max(int(valid.sum()), 1)


class PhoneErrorRate:
    """The ``phone-error-rate`` metric."""

    def __init__(self, params: DecodeParams):
        self.params = params

    def hypotheses(self, ev: Evaluation) -> list[list[str]]:
        n_phones = _check(ev)
        lengths = input_lengths(ev.x)
        seqs = decode_batch(ev.outputs, lengths, n_phones, self.params.decoder,
                            self.params.beam_width)
        return _names(ev, seqs)

    def compute(self, ev: Evaluation) -> float:
        if len(ev) == 0:
            return math.nan
        refs = _names(ev, phone_sequences(ev.y_true))
        return error_rate(refs, self.hypotheses(ev))


class WordErrorRate(PhoneErrorRate):
    """The ``word-error-rate`` metric (needs ``DataInfo.extra['lexicon']``)."""

    def compute(self, ev: Evaluation) -> float:
        if len(ev) == 0:
            return math.nan
        lexicon = ev.info.extra.get("lexicon")
        if not lexicon:
            raise DataError("word-error-rate needs the data set's lexicon in DataInfo.extra"
                            "['lexicon'] ({word: [phones]}); this data set has none")
        silence = ev.info.extra.get("silence") or ()
        silences = {silence} if isinstance(silence, str) else set(silence)
        loop = WordLoop(lexicon)

        def words(seqs: list[list[str]]) -> list[list[str]]:
            return [loop.decode([p for p in s if p not in silences]) for s in seqs]

        refs = words(_names(ev, phone_sequences(ev.y_true)))
        return error_rate(refs, words(self.hypotheses(ev)))
