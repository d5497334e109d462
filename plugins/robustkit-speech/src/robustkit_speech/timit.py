"""A loader for corpora in TIMIT layout.

``<root>/TRAIN/**/<utt>.WAV`` and ``<root>/TEST/**/<utt>.WAV`` (any letter case), each with
``<utt>.PHN`` (``start end phone`` per line, in samples) and ``<utt>.WRD`` (``start end word``)
beside it. Every frame takes the phone whose segment holds the frame's centre. Phones are the
61 TIMIT symbols as found (no folding to 39); the lexicon for word error rate is each word's
first pronunciation in the training split, read from the phones inside its ``.WRD`` span.
Features are standardised with the training split's per-band statistics.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from robustkit.components import DataInfo, Modality, Task
from robustkit.data import DataBundle
from robustkit.errors import DataError
from robustkit_speech.audio import features, frame_params, read_audio
from robustkit_speech.corpus import BOUNDS, HEADROOM
from robustkit_speech.params import TimitParams
from robustkit_speech.sequences import pad_batch

SILENCES = ("h#", "pau", "epi")


def read_segments(path: Path, n_samples: int | None = None) -> list[tuple[int, int, str]]:
    """``(start, end, label)`` lines of a .PHN or .WRD file, checked for order and range."""
    if not path.exists():
        raise DataError(f"{path}: missing; every .WAV needs .PHN and .WRD files beside it")
    out: list[tuple[int, int, str]] = []
    for number, line in enumerate(path.read_text(errors="replace").splitlines(), start=1):
        if not line.strip():
            continue
        parts = line.split()
        if len(parts) != 3 or not parts[0].isdigit() or not parts[1].isdigit():
            raise DataError(f"{path}, line {number}: expected 'start end label' with sample "
                            f"indices, got {line.strip()!r}")
        start, end = int(parts[0]), int(parts[1])
        if end <= start:
            raise DataError(f"{path}, line {number}: segment ends ({end}) before it starts "
                            f"({start})")
        if out and start < out[-1][0]:
            raise DataError(f"{path}, line {number}: segments are not in time order")
        if n_samples is not None and start >= n_samples:
            raise DataError(f"{path}, line {number}: segment starts at sample {start} but the "
                            f"audio has only {n_samples} samples; the label file does not "
                            "belong to this audio")
        out.append((start, end, parts[2]))
    if not out:
        raise DataError(f"{path}: holds no segments")
    return out


def frame_labels(segments: list[tuple[int, int, str]], n_frames: int, win: int,
                 hop: int) -> list[str]:
    """The phone at each frame centre (the nearest segment where none covers it)."""
    starts = np.array([s for s, _, _ in segments])
    ends = np.array([e for _, e, _ in segments])
    labels = []
    for i in range(n_frames):
        c = i * hop + win / 2
        inside = np.flatnonzero((starts <= c) & (c < ends))
        j = inside[0] if inside.size else int(np.argmin(np.minimum(abs(starts - c),
                                                                   abs(ends - c))))
        labels.append(segments[j][2])
    return labels


def _utterances(split_dir: Path) -> list[Path]:
    return sorted(p for p in split_dir.rglob("*") if p.suffix.lower() == ".wav")


def _sibling(wav: Path, ext: str) -> Path:
    for candidate in (wav.with_suffix(ext.upper()), wav.with_suffix(ext.lower())):
        if candidate.exists():
            return candidate
    return wav.with_suffix(ext.upper())


class Timit:
    """The ``timit`` data set."""

    def __init__(self, params: TimitParams):
        self.params = params

    def _split(self, root: Path, name: str) -> Path:
        for child in root.iterdir():
            if child.is_dir() and child.name.lower() == name.lower():
                return child
        raise DataError(f"timit: {root} has no {name} directory; expected TIMIT layout "
                        f"<root>/TRAIN and <root>/TEST")

    def _read(self, wav: Path, rate_seen: list[int]) -> tuple[np.ndarray, list[str], list]:
        p = self.params
        rate, samples = read_audio(wav)
        if rate_seen and rate != rate_seen[0]:
            raise DataError(f"{wav}: sample rate {rate} Hz differs from the corpus's "
                            f"{rate_seen[0]} Hz; resample every file to one rate")
        rate_seen.append(rate)
        feats = features(samples, rate, kind=p.features, n_mels=p.n_mels, n_mfcc=p.n_mfcc,
                         frame_ms=p.frame_ms, hop_ms=p.hop_ms)
        win, hop = frame_params(rate, p.frame_ms, p.hop_ms)
        phones = read_segments(_sibling(wav, ".PHN"), samples.size)
        words = read_segments(_sibling(wav, ".WRD"), samples.size)
        labels = frame_labels(phones, feats.shape[0], win, hop)
        lexicon_entries = []
        for ws, we, word in words:
            pron = tuple(ph for s, e, ph in phones if s >= ws and e <= we)
            if pron:
                lexicon_entries.append((word, pron))
        return feats, labels, lexicon_entries

    def load(self, seed: int) -> DataBundle:
        p = self.params
        root = Path(p.root).expanduser()
        if not root.is_dir():
            raise DataError(f"timit: root {root} is not a directory; set params.root to the "
                            "corpus directory")
        rates: list[int] = []
        raw = {}
        dirs = {split: self._split(root, split) for split in ("TRAIN", "TEST")}
        for split, folder in dirs.items():
            wavs = _utterances(folder)
            if not wavs:
                raise DataError(f"timit: no .WAV files under {root}/{split}")
            raw[split] = [(w, *self._read(w, rates)) for w in wavs]
        phones = sorted({ph for utts in raw.values() for _, _, labs, _ in utts for ph in labs})
        index = {ph: i for i, ph in enumerate(phones)}
        lexicon: dict[str, tuple[str, ...]] = {}
        for _, _, _, entries in raw["TRAIN"] + raw["TEST"]:
            for word, pron in entries:
                lexicon.setdefault(word, pron)
        train_frames = np.concatenate([f for _, f, _, _ in raw["TRAIN"]])
        mu, sd = train_frames.mean(0), train_frames.std(0) + 1e-6
        longest = max(f.shape[0] for utts in raw.values() for _, f, _, _ in utts)
        t = p.max_frames or int(np.ceil(HEADROOM * longest))
        tensors = {}
        for split, utts in raw.items():
            frames = [torch.from_numpy(np.clip((f - mu) / sd, *BOUNDS)).float()
                      for _, f, _, _ in utts]
            labels = [torch.tensor([index[ph] for ph in labs]) for _, _, labs, _ in utts]
            tensors[split] = pad_batch(frames, labels, t)
        info = DataInfo(Task.SEQUENCE_LABELLING, Modality.SEQUENCE, (t, train_frames.shape[1]),
                        BOUNDS, num_classes=len(phones), class_names=tuple(phones),
                        extra={"lexicon": lexicon, "silence": list(SILENCES), "pad": -100,
                               "sample_rate": rates[0]})
        extras = {f"files_{s.lower()}": [str(w) for w, *_ in utts] for s, utts in raw.items()}
        extras.update({f"words_{s.lower()}": [[w for w, _ in e] for *_, e in utts]
                       for s, utts in raw.items()})
        return DataBundle(*tensors["TRAIN"], *tensors["TEST"], info, extras=extras)
