"""A seeded synthetic phone corpus: a lexicon and bigram grammar rendered as log-mel-like frames.

Generation, all from one numpy Generator seeded by the pipeline seed:

1. **Phones**: silence plus ``n_phones`` phones, each a log-energy spectrum over ``n_features``
   bands (a level plus two or three Gaussian "formant" bumps) and a mean duration (3-8 frames).
2. **Lexicon**: ``n_words`` words of 2-5 phones, no phone twice in a row, *prefix-free* (no
   pronunciation starts another), so a phone string splits into words in only one way.
3. **Grammar**: a bigram over words (Dirichlet rows, so some successors dominate); a word never
   follows one that ends with its first phone, so frame labels collapse to the phone sequence.
4. **Utterance**: ``sil`` + words + ``sil``; each phone lasts a gamma-distributed number of
   frames; its first and last frames move towards the neighbouring phone's spectrum
   (coarticulation); the speaker adds a smooth spectral offset and warps the band axis
   (vocal-tract length); the utterance's channel adds a tilt and a gain; each frame gets
   white noise.
5. Features are standardised with the training split's per-band mean and std and clipped to
   ``BOUNDS``; padding frames are exactly zero (see :mod:`robustkit_speech.sequences`).

Train and test speakers are disjoint, so test error measures generalisation to new voices.
"""

from __future__ import annotations

import numpy as np
import torch

from robustkit.components import DataInfo, Modality, Task
from robustkit.data import DataBundle, derive_seed
from robustkit_speech.params import SyntheticPhonesParams
from robustkit_speech.sequences import pad_batch

BOUNDS = (-8.0, 8.0)
HEADROOM = 1.25  # padded length / longest utterance, so slowed-down speech still fits
SILENCE = "sil"
_NAMES = ("aa ae ah ao b ch d eh f g ih iy jh k l m n ng ow p r s sh t th uw v w y z zh dh "
          "er ey ay oy aw hh uh").split()


def phone_names(n: int) -> tuple[str, ...]:
    extra = [f"ph{i}" for i in range(max(0, n - len(_NAMES)))]
    return (SILENCE, *(_NAMES + extra)[:n])


class _Spec:
    """The corpus's fixed parts: phone spectra and durations, lexicon, grammar."""

    def __init__(self, p: SyntheticPhonesParams, rng: np.random.Generator):
        f = p.n_features
        bands = np.arange(f)
        means = np.empty((p.n_phones + 1, f))
        means[0] = -2.0 + 0.1 * rng.standard_normal(f)  # silence: low, flat
        for i in range(1, p.n_phones + 1):
            spectrum = rng.normal(0.0, 0.5) * np.ones(f)
            for _ in range(rng.integers(2, 4)):
                centre, width = rng.uniform(0, f - 1), rng.uniform(1.0, f / 5)
                spectrum += rng.uniform(1.0, 3.0) * np.exp(-0.5 * ((bands - centre) / width) ** 2)
            means[i] = spectrum
        self.means = means
        self.durations = np.concatenate([[5.0], rng.uniform(3.0, 8.0, p.n_phones)])
        self.words = self._lexicon(p, rng)
        first = np.array([w[0] for w in self.words])
        last = np.array([w[-1] for w in self.words])
        allowed = last[:, None] != first[None, :]
        trans = rng.dirichlet(np.full(len(self.words), 0.3), size=len(self.words)) * allowed
        empty = trans.sum(1) == 0
        trans[empty] = allowed[empty]
        self.trans = trans / trans.sum(1, keepdims=True)
        self.start = rng.dirichlet(np.full(len(self.words), 0.5))

    @staticmethod
    def _lexicon(p: SyntheticPhonesParams, rng: np.random.Generator) -> list[tuple[int, ...]]:
        words: list[tuple[int, ...]] = []
        for _ in range(200 * p.n_words):
            if len(words) == p.n_words:
                return words
            size = int(rng.integers(2, 6))
            word = [int(rng.integers(1, p.n_phones + 1))]
            while len(word) < size:
                nxt = int(rng.integers(1, p.n_phones + 1))
                if nxt != word[-1]:
                    word.append(nxt)
            w = tuple(word)
            if not any(w[: len(o)] == o or o[: len(w)] == w for o in words):
                words.append(w)
        raise ValueError(f"could not draw {p.n_words} prefix-free words over {p.n_phones} "
                         "phones; raise n_phones or lower n_words")


def _warp(vec: np.ndarray, alpha: float) -> np.ndarray:
    bands = np.arange(vec.shape[-1], dtype=float)
    return np.interp(bands / alpha, bands, vec)


def _smooth_offset(f: int, rng: np.random.Generator) -> np.ndarray:
    walk = np.cumsum(rng.standard_normal(f))
    walk -= walk.mean()
    return walk / (np.abs(walk).max() + 1e-9)


class _Speaker:
    def __init__(self, spec: _Spec, p: SyntheticPhonesParams, rng: np.random.Generator):
        alpha = float(np.clip(1.0 + p.warp_spread * rng.standard_normal(), 0.7, 1.3))
        offset = p.speaker_spread * 1.5 * _smooth_offset(p.n_features, rng)
        self.means = np.stack([_warp(m, alpha) for m in spec.means]) + offset
        self.rate = float(np.clip(1.0 + 0.1 * rng.standard_normal(), 0.75, 1.3))


def _utterance(spec: _Spec, speaker: _Speaker, p: SyntheticPhonesParams,
               rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray, list[int]]:
    count = int(rng.integers(p.min_words, p.max_words + 1))
    words = [int(rng.choice(len(spec.words), p=spec.start))]
    while len(words) < count:
        words.append(int(rng.choice(len(spec.words), p=spec.trans[words[-1]])))
    phones = [0] + [ph for w in words for ph in spec.words[w]] + [0]
    durs = [max(2, int(round(rng.gamma(6.0, spec.durations[ph] / 6.0) / speaker.rate)))
            for ph in phones]
    means = speaker.means
    frames, labels = [], []
    for i, (ph, d) in enumerate(zip(phones, durs, strict=True)):
        prev = means[phones[i - 1]] if i > 0 else means[ph]
        nxt = means[phones[i + 1]] if i + 1 < len(phones) else means[ph]
        reach = max(p.coarticulation * d / 2.0, 1e-6)
        pos = np.arange(d) + 0.5
        left = 0.5 * np.clip(1.0 - pos / reach, 0.0, 1.0)[:, None]
        right = 0.5 * np.clip(1.0 - (d - pos) / reach, 0.0, 1.0)[:, None]
        frames.append((1 - left - right) * means[ph] + left * prev + right * nxt)
        labels.extend([ph] * d)
    x = np.concatenate(frames)
    f = p.n_features
    tilt = p.channel_spread * rng.standard_normal()
    gain = p.channel_spread * rng.standard_normal()
    x = x + tilt * (np.arange(f) / (f - 1) - 0.5) + gain
    x = x + p.frame_noise * rng.standard_normal(x.shape)
    return x, np.asarray(labels), words


class SyntheticPhones:
    """The ``synthetic-phones`` data set (see the module docstring)."""

    def __init__(self, params: SyntheticPhonesParams):
        self.params = params

    def load(self, seed: int) -> DataBundle:
        p = self.params
        rng = np.random.default_rng(derive_seed(seed + p.seed_offset, "synthetic-phones"))
        spec = _Spec(p, rng)
        train_spk = [_Speaker(spec, p, rng) for _ in range(p.train_speakers)]
        test_spk = [_Speaker(spec, p, rng) for _ in range(p.test_speakers)]
        splits = {}
        for name, n, speakers in (("train", p.n_train, train_spk), ("test", p.n_test, test_spk)):
            utts = [_utterance(spec, speakers[i % len(speakers)], p, rng) for i in range(n)]
            splits[name] = utts
        stacked = np.concatenate([u[0] for u in splits["train"]])
        mu, sd = stacked.mean(0), stacked.std(0) + 1e-6
        longest = max(u[0].shape[0] for utts in splits.values() for u in utts)
        t = int(np.ceil(HEADROOM * longest))
        tensors = {}
        for name, utts in splits.items():
            frames = [torch.from_numpy(np.clip((u[0] - mu) / sd, *BOUNDS)).float() for u in utts]
            labels = [torch.from_numpy(u[1]).long() for u in utts]
            tensors[name] = pad_batch(frames, labels, t)
        names = phone_names(p.n_phones)
        lexicon = {f"w{i:02d}": tuple(names[ph] for ph in w) for i, w in enumerate(spec.words)}
        words = list(lexicon)
        info = DataInfo(Task.SEQUENCE_LABELLING, Modality.SEQUENCE, (t, p.n_features), BOUNDS,
                        num_classes=len(names), class_names=names,
                        extra={"lexicon": lexicon, "silence": SILENCE, "pad": -100})
        extras = {f"words_{k}": [[words[w] for w in u[2]] for u in v] for k, v in splits.items()}
        return DataBundle(*tensors["train"], *tensors["test"], info, extras=extras)
