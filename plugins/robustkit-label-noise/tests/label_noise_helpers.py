"""The noisy-digits set-up shared by the label-noise tests and benchmarks/label_noise_curve.py:
digits as 64 pixel features with symmetric noise on the training labels, and the MLP."""

from __future__ import annotations

import numpy as np
import torch
from robustkit_label_noise.label_noise import SymmetricNoise
from robustkit_label_noise.params import SymmetricParams

from robustkit import DataInfo, Modality, Task
from robustkit.data import DataBundle, PerturbContext, make_generator

INFO = DataInfo(Task.CLASSIFICATION, Modality.VECTOR, (64,), (0.0, 1.0), 10)


def noisy_digits(seed: int, rate: float = 0.8) -> tuple[DataBundle, torch.Tensor]:
    """The bundle (noisy training labels, clean test labels) and the true training labels."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    raw = load_digits()
    x = (raw.data / 16.0).astype(np.float32)
    parts = train_test_split(x, raw.target, test_size=0.25, random_state=0, stratify=raw.target)
    x_tr, x_te, y_tr, y_te = (torch.as_tensor(p) for p in parts)
    data = DataBundle(x_tr, y_tr.long(), x_te, y_te.long(), INFO)
    ctx = PerturbContext(info=INFO, seed=seed, generator=make_generator(seed, "noise"))
    data.y_train = SymmetricNoise(SymmetricParams(rate=rate)).perturb(x_tr, data.y_train, ctx)
    return data, y_tr.long()


def mlp(seed: int) -> torch.nn.Module:
    torch.manual_seed(seed)
    return torch.nn.Sequential(torch.nn.Linear(64, 256), torch.nn.ReLU(),
                               torch.nn.Linear(256, 256), torch.nn.ReLU(),
                               torch.nn.Linear(256, 10))
