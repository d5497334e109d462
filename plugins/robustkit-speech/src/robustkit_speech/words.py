"""From phone strings to words: the closest word sequence under a word-loop lexicon.

A phone string (silences removed) is matched against every sequence of lexicon words by
Levenshtein distance in one dynamic-programming pass (a word loop, as in a recogniser without
a language model). States are "k phones into word w" plus one word-boundary state; each phone
either matches/substitutes the next phone of a word, or is inserted; a word phone may be
deleted; a finished word returns to the boundary. For a prefix-free lexicon and an exact
pronunciation string the answer is the unique segmentation, so the same function yields the
reference words of a test utterance and the recognised words of a hypothesis.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np


class WordLoop:
    """A compiled lexicon: ``decode(phones) -> words``."""

    def __init__(self, lexicon: Mapping[str, Sequence[str]]):
        if not lexicon:
            raise ValueError("the lexicon is empty; word error rate needs DataInfo.extra"
                             "['lexicon'] = {word: [phones]}")
        self.words = list(lexicon)
        self.phones: dict[str, int] = {}
        word, pos, phone = [], [], []
        for w, pron in enumerate(lexicon.values()):
            if not pron:
                raise ValueError(f"word {self.words[w]!r} has an empty pronunciation")
            for k, ph in enumerate(pron, start=1):
                word.append(w)
                pos.append(k)
                phone.append(self.phones.setdefault(ph, len(self.phones)))
        self.word = np.array(word)
        self.pos = np.array(pos)
        self.phone = np.array(phone)
        self.n = len(word)  # the boundary state is index n
        prev = np.arange(self.n) - 1
        prev[self.pos == 1] = self.n
        self.prev = prev
        self.ends = np.flatnonzero(np.r_[self.pos[1:] == 1, True])  # last phone of each word
        self.levels = [np.flatnonzero(self.pos == k) for k in range(1, self.pos.max() + 1)]

    def _close(self, cost: np.ndarray, back: np.ndarray, i: int) -> None:
        """Deletions (no phone consumed), then word ends into the boundary, then deletions
        again from an improved boundary; later rounds cannot improve (every cycle costs)."""
        b = self.n
        for rnd in range(2):
            for lvl in self.levels:
                via = cost[self.prev[lvl]] + 1
                better = via < cost[lvl]
                idx = lvl[better]
                cost[idx] = via[better]
                back[idx, 0], back[idx, 1], back[idx, 2] = i, self.prev[idx], -1
            if rnd == 0:
                j = int(np.argmin(cost[self.ends]))
                if cost[self.ends[j]] < cost[b]:
                    cost[b] = cost[self.ends[j]]
                    back[b] = (i, self.ends[j], self.word[self.ends[j]])

    def decode(self, phones: Sequence[str]) -> list[str]:
        """The word sequence whose pronunciation is closest to ``phones`` (ties: any)."""
        ids = [self.phones.get(ph, -1) for ph in phones]  # unknown phones always mismatch
        b, size = self.n, self.n + 1
        cost = np.full(size, np.inf)
        cost[b] = 0.0
        # back[i][s] = (i', s', word emitted on the way or -1)
        backs = [np.full((size, 3), -1, dtype=np.int64)]
        self._close(cost, backs[0], 0)
        for i, h in enumerate(ids, start=1):
            back = np.full((size, 3), -1, dtype=np.int64)
            sub = cost[self.prev] + (self.phone != h)
            ins = cost[: self.n] + 1
            new = np.minimum(sub, ins)
            back[: self.n, 0] = i - 1
            back[: self.n, 1] = np.where(sub <= ins, self.prev, np.arange(self.n))
            nb = cost[b] + 1
            cost = np.r_[new, nb]
            back[b] = (i - 1, b, -1)
            self._close(cost, back, i)
            backs.append(back)
        out: list[str] = []
        i, s = len(ids), b
        while not (i == 0 and s == b):
            pi, ps, w = backs[i][s]
            if w >= 0:
                out.append(self.words[w])
            if (pi, ps) == (i, s):  # pragma: no cover - a self-loop would be a bug
                raise RuntimeError("word decoding back-pointers form a loop")
            i, s = int(pi), int(ps)
        return out[::-1]
