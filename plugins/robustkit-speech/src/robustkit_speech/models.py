"""Deep (bidirectional) LSTM for framewise phone classification and CTC.

Graves, Jaitly & Mohamed (2013), "Hybrid speech recognition with deep bidirectional LSTM":
stacked bidirectional LSTM layers, each direction's outputs concatenated and fed to the next
layer, then a linear layer to the phone classes at every frame.

Outputs are ``N x T x K`` logits. ``K`` is the number of phones for the framewise objective, one
more for CTC (the blank is the last class). Each model carries its loss as
``training_loss(outputs, targets)``, which the kernel's trainer and the weight-noise defense use.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from robustkit.components import DataInfo, Modality
from robustkit.errors import DataError
from robustkit_speech.params import DBLSTMParams
from robustkit_speech.sequences import PAD, collapse, input_lengths, label_lengths


class DBLSTMNet(nn.Module):
    """Stacked (bi)LSTM over padded frames; padding never reaches the backward direction."""

    def __init__(self, n_features: int, n_classes: int, p: DBLSTMParams):
        super().__init__()
        self.objective = p.objective
        self.n_phones = n_classes
        self.lstm = nn.LSTM(n_features, p.hidden, num_layers=p.layers, batch_first=True,
                            bidirectional=p.bidirectional,
                            dropout=p.dropout if p.layers > 1 else 0.0)
        width = p.hidden * (2 if p.bidirectional else 1)
        self.out = nn.Linear(width, n_classes + (1 if p.objective == "ctc" else 0))

    @property
    def blank(self) -> int | None:
        return self.n_phones if self.objective == "ctc" else None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if x.dim() != 3 or x.shape[-1] != self.lstm.input_size:
            raise DataError(f"DBLSTM expects N x T x {self.lstm.input_size} frames; got shape "
                            f"{tuple(x.shape)}")
        t = x.shape[1]
        lengths = input_lengths(x).cpu()
        # packing keeps the backward LSTM from reading the zero padding before the last frame
        packed = pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
        h, _ = self.lstm(packed)
        h, _ = pad_packed_sequence(h, batch_first=True, total_length=t)
        return self.out(h)

    def training_loss(self, outputs: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
        """Framewise cross-entropy ignoring padding, or CTC on the collapsed phone labels."""
        if self.objective == "framewise":
            return F.cross_entropy(outputs.transpose(1, 2), targets, ignore_index=PAD)
        lengths = label_lengths(targets)
        seqs = [collapse(row[:n]) for row, n in zip(targets.tolist(), lengths.tolist(),
                                                    strict=True)]
        flat = torch.tensor([s for seq in seqs for s in seq], dtype=torch.long,
                            device=outputs.device)
        target_lengths = torch.tensor([len(s) for s in seqs], dtype=torch.long)
        logp = outputs.log_softmax(-1).transpose(0, 1)  # T x N x K
        return F.ctc_loss(logp, flat, lengths.cpu(), target_lengths, blank=self.n_phones,
                          zero_infinity=True)


class DBLSTM:
    """The ``dblstm`` model builder."""

    def __init__(self, params: DBLSTMParams):
        self.params = params

    def build(self, info: DataInfo) -> nn.Module:
        if info.modality is not Modality.SEQUENCE or len(info.input_shape) != 2:
            raise DataError(f"dblstm needs sequence data (T x F frames); the data set gives "
                            f"{info.modality.value} inputs of shape {info.input_shape}")
        return DBLSTMNet(info.input_shape[1], info.output_size, self.params)


def parameter_count(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())
