"""Turning ``T x K`` frame scores into phone sequences.

* framewise models: the argmax phone of every frame, repeats merged;
* CTC, greedy: the best path (argmax per frame), repeats merged, blanks removed
  (Graves et al. 2006);
* CTC, beam: prefix beam search, which sums the probability of every path that collapses to
  the same prefix instead of following one path (Graves 2012, ch. 7; Hannun et al. 2014's
  formulation without a language model).
"""

from __future__ import annotations

import math
from collections import defaultdict

import numpy as np
import torch

from robustkit_speech.sequences import collapse


def best_path(scores: torch.Tensor, length: int, blank: int | None) -> list[int]:
    """Argmax per frame over the first ``length`` frames, repeats merged, blanks dropped."""
    return collapse(scores[:length].argmax(-1).tolist(), blank=blank)


def _logsumexp(a: float, b: float) -> float:
    if a == -math.inf:
        return b
    if b == -math.inf:
        return a
    hi = max(a, b)
    return hi + math.log1p(math.exp(-abs(a - b)))


def prefix_beam_search(log_probs: np.ndarray, blank: int, beam_width: int = 8) -> list[int]:
    """The most probable label sequence under CTC found by prefix beam search.

    :param log_probs: ``T x K`` log-softmax outputs of one utterance (valid frames only).
    Each prefix keeps two log-probabilities: of ending in a blank and of ending in its last
    label, so that a repeated label is only extended across a blank.
    """
    neg = -math.inf
    beams: dict[tuple[int, ...], tuple[float, float]] = {(): (0.0, neg)}
    k = log_probs.shape[1]
    # only each frame's best beam_width + 1 labels are tried, a standard pruning
    top = min(k, beam_width + 1)
    for frame in log_probs:
        candidates = np.argpartition(-frame, top - 1)[:top] if top < k else range(k)
        nxt: dict[tuple[int, ...], list[float]] = defaultdict(lambda: [neg, neg])
        for prefix, (p_b, p_nb) in beams.items():
            total = _logsumexp(p_b, p_nb)
            for c in candidates:
                c = int(c)
                lp = float(frame[c])
                if c == blank:
                    entry = nxt[prefix]
                    entry[0] = _logsumexp(entry[0], total + lp)
                    continue
                last = prefix[-1] if prefix else None
                extended = prefix + (c,)
                entry = nxt[extended]
                if c == last:
                    # a repeat extends only paths that passed a blank; otherwise it merges
                    entry[1] = _logsumexp(entry[1], p_b + lp)
                    same = nxt[prefix]
                    same[1] = _logsumexp(same[1], p_nb + lp)
                else:
                    entry[1] = _logsumexp(entry[1], total + lp)
        ranked = sorted(nxt.items(), key=lambda kv: _logsumexp(*kv[1]), reverse=True)
        beams = {prefix: (v[0], v[1]) for prefix, v in ranked[:beam_width]}
    best = max(beams.items(), key=lambda kv: _logsumexp(*kv[1]))
    return list(best[0])


def decode_batch(outputs: torch.Tensor, lengths: torch.Tensor, n_phones: int,
                 decoder: str = "greedy", beam_width: int = 8) -> list[list[int]]:
    """Phone sequences of a batch of ``N x T x K`` outputs; ``K == n_phones + 1`` means CTC."""
    ctc = outputs.shape[-1] == n_phones + 1
    blank = n_phones if ctc else None
    out = outputs.detach().float().cpu()
    seqs = []
    for row, n in zip(out, lengths.tolist(), strict=True):
        if ctc and decoder == "beam":
            seqs.append(prefix_beam_search(row[:n].log_softmax(-1).numpy(), n_phones,
                                           beam_width))
        else:
            seqs.append(best_path(row, n, blank))
    return seqs
