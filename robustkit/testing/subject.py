"""What the behaviour contracts (:mod:`robustkit.testing.kinds` and ``kinds_builders``) need
of the component they check, and the seeds and advice they share.
:class:`robustkit.testing.ContractSuite` provides it; the contracts depend on this protocol,
not on the suite, so the suite can import them without an import cycle."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from robustkit.components import Kind, Modality, Task
from robustkit.registry import ComponentSpec

SEED = 1234
OTHER_SEED = 4321
UNSEEDED_FIX = ("draw every random number from ctx.generator (perturbations) or from a "
                "torch.Generator seeded with robustkit.data.derive_seed(ctx.seed, ...); never "
                "from torch's, numpy's or Python's global generator")


class Subject(Protocol):
    """One registered component under test, and the data it is tested on."""

    kind: Kind
    stochastic: bool
    strongest: float | None
    data: Callable[[int], Any] | None

    @property
    def spec(self) -> ComponentSpec: ...

    def params(self) -> Any: ...

    def build(self, params: Any = None) -> Any: ...

    def task(self) -> Task: ...

    def bundle(self, seed: int = 0, bounds: tuple[float, float] = (0.0, 1.0),
               modality: Modality = Modality.IMAGE) -> Any: ...

    def devices(self) -> list[str]: ...
