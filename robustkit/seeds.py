"""One place that derives every seed a pipeline run uses.

A run has one root seed (``Pipeline.seed``). Every random stream of the run is a named
derivation of it, listed here, so that two stages never share a stream by accident and a
reviewer can see what each number depends on. The derivations are those the kernel has
always used, kept exactly so that stored results stay reproducible; a few salts are
historical (``"model"`` for the initialisation, ``"it"`` for the doubled-steps attack's seed),
and the names below are what they mean.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from robustkit.data import derive_seed, make_generator

if TYPE_CHECKING:
    import torch


def seed_everything(seed: int) -> None:
    """Seed Python's, NumPy's and torch's global generators (model initialisation and
    training defenses draw from the global torch generator)."""
    import random

    import numpy as np
    import torch

    random.seed(seed)
    np.random.seed(seed % 2**32)
    torch.manual_seed(seed)


@dataclass(frozen=True)
class Seeds:
    """The named random streams of one run, all derived from ``root`` (``Pipeline.seed``).

    ``derive_seed(root, *salt)`` is SHA-256 of ``"root/salt/..."`` cut to 63 bits; a stream's
    generator is a ``torch.Generator`` seeded with the stream's seed (:meth:`generator`).

    - ``data`` = ``root``: passed to ``Dataset.load``.
    - ``context`` = ``root``: ``DefenseContext.seed`` (defenses derive their own streams).
    - ``trainer`` = ``root``: the kernel's ``Trainer``, which derives ``(root, "train")``
      per fit.
    - ``init`` = ``derive_seed(root, "model")``: seeds Python, NumPy and torch before the
      model is built.
    - ``train_perturbation(name)`` = ``derive_seed(root, "train", name)``: a training-time
      perturbation's seed and generator.
    - ``defense(name)`` = ``derive_seed(root, "defense", name)``: seeds the global generators
      before a training defense trains.
    - ``perturbation(label)`` = ``derive_seed(root, "perturb", label)``: a test-time
      setting's seed and generator, one stream per label shared by its batches.
    - ``integrity_noise(label)`` = ``derive_seed(root, "integrity", label)``: the
      random-noise baseline check.
    - ``integrity_steps(label)`` = ``derive_seed(root, "integrity-steps", label)``: the
      doubled-steps check's generator; its ``ctx.seed`` is ``integrity_steps_context`` =
      ``derive_seed(root, "it")``, the same for every label (historical, kept).
    """

    root: int

    @property
    def data(self) -> int:
        return self.root

    @property
    def context(self) -> int:
        return self.root

    @property
    def trainer(self) -> int:
        return self.root

    @property
    def init(self) -> int:
        return derive_seed(self.root, "model")

    def train_perturbation(self, name: str) -> int:
        return derive_seed(self.root, "train", name)

    def defense(self, name: str) -> int:
        return derive_seed(self.root, "defense", name)

    def perturbation(self, label: str) -> int:
        return derive_seed(self.root, "perturb", label)

    def integrity_noise(self, label: str) -> int:
        return derive_seed(self.root, "integrity", label)

    def integrity_steps(self, label: str) -> int:
        """The generator seed of the doubled-steps attack (its ``ctx.seed`` is
        :attr:`integrity_steps_context`)."""
        return derive_seed(self.root, "integrity-steps", label)

    @property
    def integrity_steps_context(self) -> int:
        # historical: one seed for every label, unlike the generator above
        return derive_seed(self.root, "it")

    @staticmethod
    def generator(seed: int, device: str = "cpu") -> torch.Generator:
        """A torch generator seeded with one stream's seed (``make_generator`` of the same
        salts gives the same generator)."""
        import torch

        gen = torch.Generator(device=device)
        gen.manual_seed(seed)
        return gen


__all__ = ["Seeds", "seed_everything", "make_generator"]
