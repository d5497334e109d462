"""The vocabulary every component shares: tasks, modalities, perturbation needs, DataInfo.

This module must stay import-light (no torch): ``robustkit plugins`` and ``robustkit list``
read these enums without paying for a torch import.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Kind(StrEnum):
    """The kinds of component the kernel knows how to assemble."""

    DATASET = "dataset"
    MODEL = "model"
    PERTURBATION = "perturbation"
    DEFENSE = "defense"
    METRIC = "metric"
    EXECUTOR = "executor"

    @property
    def plural(self) -> str:
        return self.value + "s"

    @classmethod
    def parse(cls, text: str) -> Kind:
        """Accept ``dataset``, ``datasets`` or any case; raise a helpful ValueError otherwise."""
        key = text.strip().lower().removesuffix("s")
        for kind in cls:
            if kind.value == key:
                return kind
        allowed = ", ".join(k.plural for k in cls)
        raise ValueError(f"unknown kind {text!r}; choose one of: {allowed}")


class Task(StrEnum):
    """What a data set asks of a model. Components declare the tasks they serve."""

    CLASSIFICATION = "classification"
    REGRESSION = "regression"  # forecasting is regression over windows
    SEQUENCE_LABELLING = "sequence-labelling"
    DETECTION = "detection"
    IMAGE_TO_IMAGE = "image-to-image"
    ANOMALY_DETECTION = "anomaly-detection"


class Modality(StrEnum):
    """The shape family of a data set's inputs; models declare which they accept."""

    IMAGE = "image"  # N x C x H x W
    VECTOR = "vector"  # N x F
    SEQUENCE = "sequence"  # N x T x F


class Needs(StrEnum):
    """What a perturbation needs of the model it attacks."""

    NOTHING = "nothing"  # noise, corruptions: never sees the model
    SCORES = "scores"  # black-box: a query function that returns scores only
    GRADIENTS = "gradients"  # white-box: the differentiable module itself


class Target(StrEnum):
    """What a perturbation changes."""

    TEST_INPUTS = "test-inputs"
    TRAIN_INPUTS = "train-inputs"
    TRAIN_LABELS = "train-labels"


class DefenseForm(StrEnum):
    """How a defense acts. Defenses compose in the order the config lists them."""

    TRAINING = "training"  # replaces or wraps the training procedure
    INPUT_TRANSFORM = "input-transform"  # applied to inputs at inference
    MODEL_WRAPPER = "model-wrapper"  # wraps the trained model


ALL_TASKS: tuple[Task, ...] = tuple(Task)

NORMS = ("linf", "l2")


@dataclass(frozen=True)
class Threat:
    """What a perturbation's strength means, for the integrity checks (docs/integrity.md) and
    the report: they compare attacks only when these facts agree.

    :param norm: the norm its budget is measured in (``"linf"`` or ``"l2"``); ``None`` when
        its strength is no norm ball (noise levels, severities). A ``norm`` param of the
        component overrides it per setting.
    :param iterative: ``True`` for multi-step attacks, ``False`` for one-step attacks, ``None``
        when the question does not apply.
    :param unbounded: the attack minimises the perturbation rather than staying inside a
        budget (C&W, DeepFool): accuracy may reach 0 at any strength, so the budget checks
        skip it.
    """

    norm: str | None = None
    iterative: bool | None = None
    unbounded: bool = False

    def __post_init__(self) -> None:
        if self.norm is not None and self.norm not in NORMS:
            raise ValueError(f"Threat.norm must be one of {', '.join(NORMS)} or None; "
                             f"got {self.norm!r}")
        if self.iterative is not None and not isinstance(self.iterative, bool):
            raise ValueError(f"Threat.iterative must be True, False or None; "
                             f"got {self.iterative!r}")
        if not isinstance(self.unbounded, bool):
            raise ValueError(f"Threat.unbounded must be a bool; got {self.unbounded!r}")


@dataclass(frozen=True)
class DataInfo:
    """What a data set states about itself, so that models, attacks and metrics need not be told.

    :param task: the task the labels define.
    :param modality: image (C, H, W), vector (F,) or sequence (T, F).
    :param input_shape: shape of one input, without the batch dimension.
    :param bounds: the closed interval every input value lies in; attacks clip to it.
    :param num_classes: number of classes for classification-like tasks, else ``None``.
    :param output_dim: width of the model output for regression-like tasks.
    :param class_names: optional readable labels.
    :param extra: data-set specific facts (e.g. box format for detection).

    Detection convention: ``num_classes`` counts object classes; labels are a float tensor
    ``N x M x 5`` with one row ``(class, x1, y1, x2, y2)`` per box in pixel coordinates of the
    input (xyxy; x to the right, y down), padded to the largest box count with rows whose
    class is ``-1``, so labels slice by sample like any other. Models return their raw head
    outputs; detection metrics decode them (see ``docs/plugins/detection.md``).
    """

    task: Task
    modality: Modality
    input_shape: tuple[int, ...]
    bounds: tuple[float, float] = (0.0, 1.0)
    num_classes: int | None = None
    output_dim: int | None = None
    class_names: tuple[str, ...] | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def output_size(self) -> int:
        """Width of the model's output layer."""
        if self.num_classes is not None:
            return self.num_classes
        if self.output_dim is not None:
            return self.output_dim
        raise ValueError("DataInfo has neither num_classes nor output_dim")

    def as_dict(self) -> dict[str, Any]:
        return {
            "task": self.task.value,
            "modality": self.modality.value,
            "input_shape": list(self.input_shape),
            "bounds": list(self.bounds),
            "num_classes": self.num_classes,
            "output_dim": self.output_dim,
        }
