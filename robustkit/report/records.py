"""Reading a report's inputs from the store, and nothing else: metric rows with the facts
stored beside them, stored flags, and each run's provenance."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from robustkit.config import ComponentRef
from robustkit.facts import CLEAN, UNKNOWN, PerturbationFacts
from robustkit.pretrained import display_name
from robustkit.store import Store

Row = tuple[str, str, str, str]  # dataset, model, training-time perturbations, defenses


@dataclass
class Record:
    """One stored number with the facts of the run and of the perturbation it came from."""

    run_id: str
    dataset: str
    model: str
    train: str
    defenses: str
    seed: int
    label: str
    perturbation: str
    strength: float | None
    metric: str
    value: float | None
    params: dict[str, Any] = field(default_factory=dict)
    facts: PerturbationFacts = UNKNOWN

    @property
    def row(self) -> Row:
        return (self.dataset, self.model, self.train, self.defenses)

    @property
    def config(self) -> str:
        """The perturbation with every param but its strength: a curve is drawn per config,
        so points of different configs (PGD-10 and PGD-2) are never pooled."""
        rest = {k: v for k, v in self.params.items() if k != self.facts.strength_param}
        return ComponentRef(name=self.perturbation, params=rest).label()

    def flat(self) -> dict[str, Any]:
        """One CSV/JSON row: the number, its run and its stored facts."""
        out = {k: getattr(self, k) for k in ("run_id", "dataset", "model", "train", "defenses",
                                             "seed", "label", "perturbation", "strength",
                                             "metric", "value")}
        return out | {f"facts.{k}": v for k, v in self.facts.as_dict().items()}


@dataclass
class RunInfo:
    """What the provenance block says about one run."""

    run_id: str
    row: Row
    seed: int
    kernel_version: str
    plugins: dict[str, Any]
    epochs: int | None
    data: dict[str, Any]
    created: float
    status: str


def _stack_label(entries: list[dict[str, Any]]) -> str:
    return " + ".join(e["name"] for e in entries) or "none"


def collect(store: Store, run_ids: Iterable[str]
            ) -> tuple[list[Record], list[dict[str, Any]], list[RunInfo]]:
    """Every metric, stored flag and provenance of the given runs."""
    records: list[Record] = []
    flags: list[dict[str, Any]] = []
    runs: list[RunInfo] = []
    for run_id in run_ids:
        run = store.run(run_id)
        cfg = run["config"]
        # a file-backed model or data set is named by its file too: two files never share a row
        row: Row = (display_name(cfg, "dataset"), display_name(cfg, "model"),
                    _stack_label(cfg.get("train_perturbations", [])),
                    _stack_label(cfg.get("defenses", [])))
        runs.append(RunInfo(run_id, row, run["seed"], run["kernel_version"],
                            run.get("plugins") or {},
                            (cfg.get("training") or {}).get("epochs"),
                            run.get("data_info") or {}, run["created"], run["status"]))
        for m in store.metrics(run_id):
            facts = m.facts or (CLEAN if m.label == "clean" else UNKNOWN)
            records.append(Record(run_id, *row, run["seed"], m.label, m.perturbation,
                                  m.strength, m.metric, m.value, m.params, facts))
        for f in store.flags(run_id):
            flags.append({**f, "row": row, "seed": run["seed"], "run_id": run_id})
    return records, flags, runs


def config_names(records: list[Record]) -> dict[str, str]:
    """A short name per perturbation config: the perturbation plus only the params in which
    its configs differ (``pgd[steps=2]``), since stored params spell out every default; the
    bare name where a perturbation has one config."""
    params: dict[str, dict[str, dict[str, Any]]] = {}
    for r in records:
        if r.label != "clean":
            rest = {k: v for k, v in r.params.items() if k != r.facts.strength_param}
            params.setdefault(r.perturbation, {})[r.config] = rest
    out = {}
    for name, configs in params.items():
        keys = sorted({k for p in configs.values() for k in p})
        differ = [k for k in keys if len({repr(p.get(k)) for p in configs.values()}) > 1]
        for config, p in configs.items():
            shown = {k: p[k] for k in differ if k in p}
            out[config] = ComponentRef(name=name, params=shown).label() if shown else name
    return out
