"""robustkit: measure and improve the robustness of neural networks. Methods are plugins.

Importing robustkit never imports torch; the pipeline imports it when it runs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from robustkit import objects as _objects  # noqa: F401,I001  (objects stand where names do)
from robustkit.components import (
    DataInfo,
    DefenseForm,
    Kind,
    Modality,
    Needs,
    Target,
    Task,
    Threat,
)
from robustkit.config import ComponentRef, Pipeline, PipelineConfig, TrainingConfig, load_pipeline
from robustkit.errors import (
    ConfigError,
    DataError,
    IncompatibleError,
    ParamsError,
    PluginError,
    RobustkitError,
    StoreError,
    UnknownComponentError,
)
from robustkit.plugins import get_registry, hookimpl, register_plugin
from robustkit.protocols import (
    Dataset,
    Executor,
    InputTransform,
    Metric,
    ModelBuilder,
    ModelWrapper,
    Perturbation,
    TrainingDefense,
)
from robustkit.registrar import Registrar
from robustkit.registry import LazyParams, NoParams, Params

if TYPE_CHECKING:
    from robustkit.data import DataBundle, DefenseContext, Evaluation, PerturbContext, ScoreOracle
    from robustkit.evaluation import evaluate
    from robustkit.objects import test_data
    from robustkit.result import PipelineResult
    from robustkit.store import Store
    from robustkit.trainer import Trainer, TrainStep

__version__ = "0.1.0"

_LAZY = {
    "DataBundle": "robustkit.data",
    "DefenseContext": "robustkit.data",
    "Evaluation": "robustkit.data",
    "PerturbContext": "robustkit.data",
    "ScoreOracle": "robustkit.data",
    "PipelineResult": "robustkit.result",
    "Store": "robustkit.store",
    "Trainer": "robustkit.trainer",
    "TrainStep": "robustkit.trainer",
    "evaluate": "robustkit.evaluation",
    "test_data": "robustkit.objects",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'robustkit' has no attribute {name!r}")


__all__ = [
    "ComponentRef", "ConfigError", "DataBundle", "DataError", "DataInfo", "Dataset",
    "DefenseContext", "DefenseForm", "Evaluation", "Executor", "IncompatibleError",
    "InputTransform", "Kind", "LazyParams", "Metric", "Modality", "ModelBuilder",
    "ModelWrapper", "Needs", "NoParams", "Params", "ParamsError", "PerturbContext",
    "Perturbation", "Pipeline", "PipelineConfig", "PipelineResult", "PluginError", "Registrar",
    "RobustkitError", "ScoreOracle", "Store", "StoreError", "Target", "Task", "Threat",
    "TrainStep", "Trainer", "TrainingConfig", "TrainingDefense", "UnknownComponentError",
    "evaluate", "get_registry", "hookimpl", "load_pipeline", "register_plugin",
    "test_data",
]
