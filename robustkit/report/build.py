"""Building a report from the store: which runs, their records, stored and cross-run flags."""

from __future__ import annotations

from robustkit.report.core import Report
from robustkit.report.flags import chance_flags, cross_run_flags
from robustkit.report.records import collect
from robustkit.store import Store


def run_ids_of(store: Store, sweep_id: str | None = None,
               run_ids: list[str] | None = None) -> tuple[list[str], str]:
    """The finished runs of a sweep, the given runs, or (neither given) every finished run,
    and a title suffix naming them."""
    if sweep_id:
        sweep = store.sweep(sweep_id)
        return ([c["run_id"] for c in store.cells(sweep["id"]) if c["status"] == "done"],
                f"sweep {sweep['id']}")
    if run_ids:
        return list(run_ids), "runs " + ", ".join(run_ids) if len(run_ids) < 4 else (
            f"{len(run_ids)} runs")
    return [r["id"] for r in store.runs() if r["status"] == "done"], ""


def build_report(store: Store, *, sweep_id: str | None = None, run_ids: list[str] | None = None,
                 metric: str = "accuracy") -> Report:
    """A report over one sweep, given runs, or (neither given) every finished run. Reads only
    the store: the perturbation facts are those stored with each metric row."""
    ids, what = run_ids_of(store, sweep_id, run_ids)
    title = "robustkit report card" + (f" — {what}" if what else "")
    records, flags, runs = collect(store, ids)
    flags += cross_run_flags(records) + chance_flags(records, runs)
    examples = {(run_id, label): arrays for run_id in ids
                for label, arrays in store.examples(run_id).items()}
    return Report(metric, records, flags, title, examples=examples, runs=runs)
