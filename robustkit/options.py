"""The run settings a plan carries: every config value the stages read, resolved once at
planning, so no stage reads the raw config."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from robustkit.config import Pipeline, TrainingConfig


@dataclass(frozen=True)
class RunOptions:
    """The non-component settings of one run (see :class:`robustkit.Pipeline` for each)."""

    name: str | None
    seed: int
    device: str
    training: TrainingConfig
    eval_batch_size: int
    eval_samples: int | None
    integrity: bool
    integrity_samples: int
    cache: bool
    threads: int | None
    store: Path | None
    record: dict[str, Any]  # the config as stored with the run (JSON-ready)

    @classmethod
    def from_config(cls, config: Pipeline) -> RunOptions:
        return cls(
            name=config.name, seed=config.seed, device=config.device, training=config.training,
            eval_batch_size=config.eval_batch_size, eval_samples=config.eval_samples,
            integrity=config.integrity, integrity_samples=config.integrity_samples,
            cache=config.cache, threads=config.threads, store=config.store,
            record=config.to_dict(),
        )
