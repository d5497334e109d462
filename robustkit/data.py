"""Runtime objects passed between components: DataBundle, contexts, Evaluation.

Imports torch only when these objects are used, never when ``robustkit`` is imported.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from robustkit.components import DataInfo, Task
from robustkit.errors import DataError

if TYPE_CHECKING:
    import torch


def derive_seed(seed: int, *salt: str) -> int:
    """A stable 63-bit seed derived from ``seed`` and names, so stages draw independent streams."""
    digest = hashlib.sha256(("/".join([str(seed), *salt])).encode()).digest()
    return int.from_bytes(digest[:8], "big") & (2**63 - 1)


def make_generator(seed: int, *salt: str, device: str = "cpu") -> torch.Generator:
    import torch

    gen = torch.Generator(device=device)
    gen.manual_seed(derive_seed(seed, *salt))
    return gen


@dataclass
class DataBundle:
    """Train and test tensors of one data set, and what the data set states about them."""

    x_train: torch.Tensor
    y_train: torch.Tensor
    x_test: torch.Tensor
    y_test: torch.Tensor
    info: DataInfo
    extras: dict[str, Any] = field(default_factory=dict)

    def validate(self, name: str = "data set") -> DataBundle:
        """Check shapes, NaN and bounds; raise DataError naming the split and the problem."""
        import torch

        lo, hi = self.info.bounds
        for split, x, y in (("train", self.x_train, self.y_train), ("test", self.x_test,
                                                                     self.y_test)):
            if split == "train" and x.shape[0] == 0 and self.extras.get("test_only"):
                continue  # a test-only data set (a pretrained model's evaluation data)
            if not isinstance(x, torch.Tensor) or not isinstance(y, torch.Tensor):
                raise DataError(f"{name}: {split} inputs and labels must be torch tensors")
            if x.shape[0] != y.shape[0]:
                raise DataError(
                    f"{name}: {split} has {x.shape[0]} inputs but {y.shape[0]} labels"
                )
            if x.shape[0] == 0:
                raise DataError(f"{name}: the {split} split is empty")
            if tuple(x.shape[1:]) != tuple(self.info.input_shape):
                raise DataError(
                    f"{name}: {split} inputs have shape {tuple(x.shape[1:])} per sample but "
                    f"DataInfo.input_shape says {tuple(self.info.input_shape)}"
                )
            if x.is_floating_point() and not torch.isfinite(x).all():
                bad = int((~torch.isfinite(x)).flatten(1).any(1).sum())
                raise DataError(f"{name}: {bad} {split} inputs contain NaN or infinity")
            if x.is_floating_point() and (x.min() < lo - 1e-6 or x.max() > hi + 1e-6):
                raise DataError(
                    f"{name}: {split} inputs span [{float(x.min()):.4g}, {float(x.max()):.4g}]"
                    f" outside DataInfo.bounds [{lo}, {hi}]"
                )
            if self.info.task is Task.CLASSIFICATION and self.info.num_classes:
                if y.dtype not in (torch.int64, torch.int32):
                    raise DataError(f"{name}: {split} class labels must be integers")
                if y.numel() and (int(y.min()) < 0 or int(y.max()) >= self.info.num_classes):
                    raise DataError(
                        f"{name}: {split} labels span [{int(y.min())}, {int(y.max())}] but "
                        f"num_classes is {self.info.num_classes}"
                    )
        return self


@dataclass
class ScoreOracle:
    """A black-box view of a model: scores for inputs, nothing else, every query counted.

    Attacks that declare ``needs="scores"`` receive this instead of the module, so they cannot
    reach gradients or parameters. ``queries`` counts model evaluations per sample index.
    """

    _fn: Callable[[torch.Tensor], torch.Tensor]
    num_classes: int | None = None
    total_queries: int = 0

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        import torch

        with torch.no_grad():
            scores = self._fn(x.detach())
        if scores.shape[0] != x.shape[0] or (
            self.num_classes is not None and scores.shape[-1] != self.num_classes
        ):
            raise DataError(
                f"the model returned scores of shape {tuple(scores.shape)} for "
                f"{x.shape[0]} inputs; expected ({x.shape[0]}, {self.num_classes})"
            )
        if not torch.isfinite(scores).all():
            raise DataError("the model returned NaN or infinite scores; the attack stopped")
        self.total_queries += int(x.shape[0])
        return scores.detach()


@dataclass
class PerturbContext:
    """What a perturbation receives besides the inputs and labels.

    :param model: ``None`` (needs nothing), a :class:`ScoreOracle` (needs scores) or the
        ``torch.nn.Module`` in eval mode (needs gradients).
    :param info: the data set's DataInfo (bounds, shape, classes).
    :param seed: the seed of this perturbation in this run.
    :param generator: a torch Generator seeded from ``seed``; draw all randomness from it.
    :param device: where tensors live.
    :param stats: a dict the perturbation may fill (e.g. ``{"queries": tensor}``); metrics
        receive it as ``Evaluation.extras``, per-sample tensors concatenated over batches.
        Keys first-party plugins share: ``target`` (a targeted attack's target labels: attack
        metrics then count reaching them as success), ``attack_succeeded``, ``queries``,
        ``queries_to_success``.
    """

    info: DataInfo
    seed: int
    generator: torch.Generator
    model: Any = None
    device: str = "cpu"
    stats: dict[str, Any] = field(default_factory=dict)


@dataclass
class DefenseContext:
    """What a defense receives: DataInfo, seed, device and the registry of the running host.

    :param registry: the :class:`robustkit.registry.Registry` the pipeline resolved its config
        against, so a defense that builds other components by name (the attack inside
        adversarial training, a teacher model) finds the same plugins, also under a custom
        ``PluginHost``. ``None`` outside a pipeline: use ``robustkit.get_registry()`` then.
    """

    info: DataInfo
    seed: int
    device: str = "cpu"
    registry: Any = None

    def build(self, kind: Any, ref: Any) -> Any:
        """Build the component ``ref`` names (``"pgd"``, ``{"name": ..., "params": ...}``),
        checked against this data, from the registry the pipeline uses:
        :func:`robustkit.services.build_component`."""
        from robustkit.services import build_component

        return build_component(self.registry, kind, ref, self.info)


@dataclass
class Evaluation:
    """One evaluation a metric scores: model outputs on (perturbed) test inputs.

    :param y_true: labels (or targets), shape (N, ...).
    :param outputs: model outputs on ``x``: logits for classification.
    :param x: the inputs that were scored (perturbed, or clean for the clean row).
    :param x_clean: the unperturbed inputs.
    :param clean_outputs: model outputs on ``x_clean``.
    :param info: the data set's DataInfo.
    :param extras: what the perturbation reported in ``PerturbContext.stats``.
    """

    y_true: torch.Tensor
    outputs: torch.Tensor
    x: torch.Tensor
    x_clean: torch.Tensor
    clean_outputs: torch.Tensor
    info: DataInfo
    extras: dict[str, Any] = field(default_factory=dict)

    def __len__(self) -> int:
        return int(self.y_true.shape[0])
