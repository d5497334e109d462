"""The padded-batch conventions of this plugin, in one place.

* inputs ``x``: ``N x T x F`` float frames; frames past an utterance's end are exactly zero.
* labels ``y``: ``N x T`` int64 frame labels (phone indices); past the end they are
  :data:`PAD` (-100, the ``ignore_index`` of ``torch.nn.functional.cross_entropy``).
* an utterance's length is the number of non-padding labels; models, which see only ``x``,
  read it as one past the last frame with a non-zero value (see :func:`input_lengths`).
* the phone sequence of an utterance is its frame labels with repeats merged
  (:func:`collapse`); data sets guarantee that no phone follows itself.
"""

from __future__ import annotations

from collections.abc import Sequence

import torch

from robustkit.errors import DataError

PAD = -100


def label_lengths(y: torch.Tensor) -> torch.Tensor:
    """Valid frames per utterance: the count of labels that are not :data:`PAD`."""
    if y.dim() != 2:
        raise DataError(f"sequence labels must be N x T frame labels; got shape "
                        f"{tuple(y.shape)}")
    return (y != PAD).sum(1)


def input_lengths(x: torch.Tensor) -> torch.Tensor:
    """One past the last frame with any non-zero value, per utterance (at least 1)."""
    if x.dim() != 3:
        raise DataError(f"sequence inputs must be N x T x F frames; got shape "
                        f"{tuple(x.shape)}")
    live = x.ne(0).any(-1)
    t = x.shape[1]
    last = t - live.flip(1).float().argmax(1)
    return torch.where(live.any(1), last, torch.ones_like(last)).clamp(min=1)


def frame_mask(lengths: torch.Tensor, t: int) -> torch.Tensor:
    """``N x T`` boolean mask of the frames inside each utterance."""
    return torch.arange(t, device=lengths.device)[None, :] < lengths[:, None]


def collapse(labels: Sequence[int], blank: int | None = None) -> list[int]:
    """Merge runs of equal labels and drop ``blank`` (the CTC best-path rule)."""
    out: list[int] = []
    prev = None
    for lab in labels:
        lab = int(lab)
        if lab != prev and lab != blank and lab != PAD:
            out.append(lab)
        prev = lab
    return out


def phone_sequences(y: torch.Tensor) -> list[list[int]]:
    """The reference phone sequence of every utterance in a padded label batch."""
    lengths = label_lengths(y).tolist()
    rows = y.detach().cpu().tolist()
    return [collapse(row[:n]) for row, n in zip(rows, lengths, strict=True)]


def pad_batch(frames: Sequence[torch.Tensor], labels: Sequence[torch.Tensor],
              t: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Stack variable-length ``(T_i x F, T_i)`` pairs into padded ``N x t x F`` and ``N x t``."""
    n, f = len(frames), frames[0].shape[1]
    x = torch.zeros(n, t, f)
    y = torch.full((n, t), PAD, dtype=torch.long)
    for i, (a, b) in enumerate(zip(frames, labels, strict=True)):
        if a.shape[0] > t:
            raise DataError(f"utterance {i} has {a.shape[0]} frames, more than the padded "
                            f"length {t}; raise max_frames")
        x[i, : a.shape[0]] = a
        y[i, : b.shape[0]] = b
    return x, y
