"""The pipeline config: one pydantic model for config files (TOML, JSON, YAML) and Python.

``Pipeline(dataset="digits", model="small-cnn", ...)`` and a TOML file with the same keys build
the same object; ``Pipeline.run()`` runs it.
"""

from __future__ import annotations

import json
import tomllib
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_serializer,
    model_validator,
)

from robustkit import strict
from robustkit.errors import ConfigError

if TYPE_CHECKING:
    from robustkit.result import PipelineResult

DEFAULT_STORE = Path("robustkit-results") / "results.db"
# set by robustkit.objects (which the package imports): names a module or arrays given where
# a component name goes; a hook, so that this data model imports none of the machinery
adopt_object: Callable[[Any], str] | None = None
M = TypeVar("M", bound=BaseModel)


class ComponentRef(BaseModel):
    """A component named in a config, with its params.

    Accepts ``"pgd"``, ``{name = "pgd", params = {eps = 0.1}}`` or the flat
    ``{name = "pgd", eps = 0.1}``.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1, description="the registered component name")
    params: dict[str, Any] = Field(default_factory=dict, description="component parameters")
    samples: int | None = Field(None, ge=1, le=10**9, description=(
        "perturbations only: evaluate this one on the first N test samples (of those the "
        "pipeline's eval_samples keeps), e.g. an expensive C&W or ZOO beside cheap noise"))

    @model_validator(mode="before")
    @classmethod
    def _accept_short_forms(cls, value: Any) -> Any:
        if isinstance(value, str):
            return {"name": value}
        if not isinstance(value, dict | ComponentRef) and adopt_object is not None:
            return {"name": adopt_object(value)}  # a torch module, (x, y), a DataBundle
        if isinstance(value, dict) and "name" in value:
            flat = {k: v for k, v in value.items() if k not in ("name", "params", "samples")}
            if flat:
                params = dict(value.get("params") or {})
                params.update(flat)
                out = {"name": value["name"], "params": params}
                if "samples" in value:
                    out["samples"] = value["samples"]
                return out
        return value

    @model_serializer(mode="wrap")
    def _omit_unset_samples(self, handler: Any) -> Any:
        # configs (and the hashes of sweep cells and cached models taken over them) stay what
        # they were before per-perturbation sample counts existed, unless one is given
        data = handler(self)
        if isinstance(data, dict) and data.get("samples") is None:
            data.pop("samples", None)
        return data

    def label(self) -> str:
        if not self.params:
            return self.name
        inner = ",".join(f"{k}={_short(v)}" for k, v in sorted(self.params.items()))
        return f"{self.name}[{inner}]"


def _short(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    return str(value)


class TrainingConfig(BaseModel):
    """The kernel's standard supervised training loop, which training defenses may replace."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    epochs: int = Field(20, ge=0, le=10_000, description="passes over the training set")
    batch_size: int = Field(64, ge=1, le=1_000_000, description="samples per step")
    lr: float = Field(1e-3, gt=0, le=10, description="learning rate")
    optimizer: Literal["adam", "adamw", "sgd"] = Field("adam", description="optimizer")
    weight_decay: float = Field(0.0, ge=0, le=1, description="L2 penalty")
    momentum: float = Field(0.9, ge=0, lt=1, description="SGD momentum")


class Pipeline(BaseModel):
    """A pipeline: dataset → training-time perturbations → model → defenses → evaluation under
    each perturbation (and unperturbed) → metrics → store."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str | None = Field(None, description="a label for the run")
    dataset: ComponentRef
    model: ComponentRef
    train_perturbations: list[ComponentRef] = Field(
        default_factory=list, description="perturbations applied to the training data"
    )
    defenses: list[ComponentRef] = Field(default_factory=list, description="applied in order")
    perturbations: list[ComponentRef] = Field(
        default_factory=list, description="test-time perturbations; 'clean' is always added"
    )
    metrics: list[ComponentRef] = Field(
        default_factory=lambda: [ComponentRef(name="accuracy")], min_length=1
    )
    training: TrainingConfig = Field(default_factory=TrainingConfig)
    seed: int = Field(0, ge=0, lt=2**63, description="seed of everything random in the run")
    device: str = Field("cpu", description="torch device, e.g. cpu or cuda:0")
    eval_batch_size: int = Field(512, ge=1, description="batch size for evaluation and attacks")
    eval_samples: int | None = Field(
        None, ge=1, description="evaluate on the first N test samples only (quick sweeps)"
    )
    integrity: Literal["escalate", "flag", "off"] = Field("escalate", description=(
        "escalate: run the integrity checks and re-attack every doubted number with the "
        "matching adaptive attack, storing the worst case beside it; flag: checks only; off "
        "(true/false: escalate/off)"))

    @field_validator("integrity", mode="before")
    @classmethod
    def _integrity_switch(cls, value: Any) -> Any:
        return {True: "escalate", False: "off"}.get(value, value) if isinstance(
            value, bool) else value

    integrity_samples: int = Field(
        128, ge=8, le=100_000, description="test samples the model-level integrity checks use"
    )
    store: Path | None = Field(None, description=f"results database (default {DEFAULT_STORE})")
    cache: bool = Field(True, description="reuse trained models with the same fingerprint")
    threads: int | None = Field(None, ge=1, le=1024, description=(
        "torch threads for the run (default: torch's choice). Float results depend on it, so "
        "sweeps fix it to get the same numbers on every executor"))

    def run(self, **kwargs: Any) -> PipelineResult:
        """Validate against the installed plugins, run, store and return the result."""
        from robustkit.pipeline import run_pipeline

        return run_pipeline(self, **kwargs)

    def replace(self, **changes: Any) -> Pipeline:
        """A copy with ``changes`` applied and validated (``model_copy`` would skip validation)."""
        return Pipeline.model_validate({**self.model_dump(), **changes})

    def to_dict(self) -> dict[str, Any]:
        return self.model_dump(mode="json", exclude_none=True)


PipelineConfig = Pipeline


def format_validation_error(exc: ValidationError, source: str, what: str = "pipeline") -> str:
    lines = [f"{source} is not a valid {what} config:"]
    for err in exc.errors():
        loc = ".".join(str(p) for p in err["loc"]) or "(top level)"
        got = err.get("input")
        shown = "" if isinstance(got, dict) else f" (got {got!r})"
        lines.append(f"  - {loc}: {err['msg']}{shown}")
    return "\n".join(lines)


def parse_config_text(text: str, fmt: str, source: str) -> dict[str, Any]:
    """Parse TOML, JSON or YAML text into a dict; errors name the source and line."""
    try:
        if fmt == "toml":
            data = tomllib.loads(text)
        elif fmt == "json":
            data = json.loads(text)
        elif fmt == "yaml":
            import yaml

            data = yaml.safe_load(text)  # safe_load: a config can never construct objects
        else:
            raise ConfigError(f"{source}: unknown config format {fmt!r}; use toml, json or yaml")
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{source}: malformed TOML: {exc}") from None
    except json.JSONDecodeError as exc:
        raise ConfigError(
            f"{source}: malformed JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
        ) from None
    except Exception as exc:
        mark = getattr(exc, "problem_mark", None)
        if mark is None:
            raise
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(
            f"{source}: malformed YAML at line {mark.line + 1}, column {mark.column + 1}: "
            f"{problem}"
        ) from None
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: a config must be a table/mapping, got {type(data).__name__}")
    return data


FORMATS = {".toml": "toml", ".json": "json", ".yaml": "yaml", ".yml": "yaml"}


def read_config_file(path: str | Path) -> dict[str, Any]:
    path = Path(path)
    if path.is_dir():  # before the suffix, which a folder seldom has
        raise ConfigError(f"{path} is a directory; give the config file inside it")
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise ConfigError(
            f"{path}: cannot tell the config format from the suffix {path.suffix!r}; "
            f"use one of {', '.join(FORMATS)}"
        )
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(f"{path}: config file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read config file: {exc}") from None
    return parse_config_text(text, fmt, str(path))


def load_model_file(path: str | Path, model: type[M], table: str) -> M:
    """Read a config file into ``model``; the settings may sit at the top level or under
    ``[table]``. Every error names the file and the line or field."""
    data = read_config_file(path)
    data = data.get(table, data) if isinstance(data.get(table), dict) else data
    try:
        return strict.validate(model, data)  # a file's `epochs = true` is no integer
    except ValidationError as exc:
        raise ConfigError(format_validation_error(exc, str(path), table)) from None


def load_pipeline(path: str | Path) -> Pipeline:
    """Read a pipeline config file (TOML, JSON or YAML)."""
    return load_model_file(path, Pipeline, "pipeline")


def default_pipeline() -> Pipeline:
    """The pipeline ``robustkit run`` runs with no config: digits, small CNN, Gaussian noise."""
    from importlib.resources import files

    text = files("robustkit").joinpath("default_pipeline.toml").read_text(encoding="utf-8")
    return Pipeline.model_validate(parse_config_text(text, "toml", "default pipeline"))
