"""The report card: from the store, a defenses × perturbations matrix (mean ± spread over
seeds), robustness curves, integrity flags beside the numbers they doubt; exported as one
self-contained HTML page, Markdown, CSV and JSON."""

from __future__ import annotations

import base64
import csv
import html
import io
import json
import math
import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from robustkit.components import Kind
from robustkit.integrity import Flag, Setting, row_flags, threat_of
from robustkit.pretrained import display_name
from robustkit.store import Store

THREAT_ORDER = {"clean": 0, "noise": 1, "black-box": 2, "white-box": 3}


@dataclass
class Record:
    """One stored number with the facts of the run it came from."""

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

    @property
    def row(self) -> tuple[str, str, str, str]:
        return (self.dataset, self.model, self.train, self.defenses)


def _stack_label(entries: list[dict[str, Any]]) -> str:
    return " + ".join(e["name"] for e in entries) or "none"


def collect(store: Store, run_ids: Iterable[str]) -> tuple[list[Record], list[dict[str, Any]]]:
    """Every metric and stored flag of the given runs."""
    records, flags = [], []
    for run_id in run_ids:
        run = store.run(run_id)
        cfg = run["config"]
        base = dict(run_id=run_id, dataset=display_name(cfg, "dataset"),
                    model=display_name(cfg, "model"),
                    train=_stack_label(cfg.get("train_perturbations", [])),
                    defenses=_stack_label(cfg.get("defenses", [])), seed=run["seed"])
        for m in store.metrics(run_id):
            records.append(Record(**base, label=m.label, perturbation=m.perturbation,
                                  strength=m.strength, metric=m.metric, value=m.value))
        for f in store.flags(run_id):
            flags.append({**f, "row": (base["dataset"], base["model"], base["train"],
                                       base["defenses"]), "seed": base["seed"]})
    return records, flags


def _spec_facts(name: str) -> dict[str, Any]:
    from robustkit.plugins import get_registry

    try:
        spec = get_registry().get(Kind.PERTURBATION, name)
    except Exception:
        return {"threat": "noise"}
    return {"threat": threat_of(spec.needs.value), "iterative": spec.threat.iterative,
            "unbounded": spec.threat.unbounded, "norm": spec.threat.norm}


def cross_run_flags(records: list[Record]) -> list[dict[str, Any]]:
    """Row checks across the cells of a sweep (each cell stores one perturbation)."""
    groups: dict[tuple, dict[str, Setting]] = defaultdict(dict)
    for r in records:
        if r.metric != "accuracy" or r.value is None or r.label == "clean":
            continue
        facts = _spec_facts(r.perturbation)
        groups[(r.row, r.seed)][r.label] = Setting(
            label=r.label, perturbation=r.perturbation, accuracy=r.value,
            threat=facts["threat"], iterative=facts.get("iterative"),
            unbounded=facts.get("unbounded", False), strength=r.strength,
            norm=facts.get("norm") or "linf")
    out = []
    for (row, seed), settings in groups.items():
        for f in row_flags(list(settings.values())):
            out.append({**f.as_dict(), "row": row, "seed": seed})
    return out


@dataclass
class Report:
    metric: str
    records: list[Record]
    flags: list[dict[str, Any]]
    title: str = "robustkit report card"
    figures: dict[str, bytes] = field(default_factory=dict)
    # (run id, evaluation label) -> role ("input", "output", "target") -> k x C x H x W
    examples: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    grid_figures: dict[str, bytes] = field(default_factory=dict)

    # -- the matrix ------------------------------------------------------------------------
    def columns(self) -> list[str]:
        labels: dict[str, tuple] = {}
        for r in self.records:
            if r.metric == self.metric and r.label not in labels:
                threat = "clean" if r.label == "clean" else _spec_facts(r.perturbation)["threat"]
                labels[r.label] = (THREAT_ORDER[threat], r.perturbation, r.strength or 0.0,
                                   r.label)
        return sorted(labels, key=lambda k: labels[k])

    def rows(self) -> list[tuple[str, str, str, str]]:
        return sorted({r.row for r in self.records if r.metric == self.metric})

    def cell(self, row: tuple, label: str) -> tuple[float, float, int] | None:
        # the clean value is stored by every cell of a trained model; keep one per seed
        per_seed = {r.seed: r.value for r in self.records
                    if r.row == row and r.label == label and r.metric == self.metric
                    and r.value is not None}
        if not per_seed:
            return None
        values = list(per_seed.values())
        spread = statistics.stdev(values) if len(values) > 1 else 0.0
        return statistics.fmean(values), spread, len(values)

    def cell_flags(self, row: tuple, label: str) -> list[dict[str, Any]]:
        seen, out = set(), []
        for f in self.flags:
            if tuple(f["row"]) == tuple(row) and f["label"] == label and f["check"] not in seen:
                seen.add(f["check"])
                out.append(f)
        return out

    def matrix(self) -> list[dict[str, Any]]:
        out = []
        for row in self.rows():
            entry: dict[str, Any] = dict(zip(("dataset", "model", "train", "defenses"), row,
                                             strict=True))
            for label in self.columns():
                c = self.cell(row, label)
                entry[label] = None if c is None else {"mean": c[0], "std": c[1], "n": c[2],
                                                       "flags": [f["check"] for f in
                                                                 self.cell_flags(row, label)]}
            out.append(entry)
        return out

    @staticmethod
    def fmt(c: tuple[float, float, int] | None) -> str:
        if c is None:
            return "–"
        mean, std, n = c
        return f"{mean:.3f} ± {std:.3f}" if n > 1 else f"{mean:.3f}"

    # -- curves ------------------------------------------------------------------------------
    def curves(self) -> dict[str, bytes]:
        """One PNG per (dataset, model, perturbation) with more than one strength."""
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        series: dict[tuple, dict[tuple, dict[float, list[float]]]] = defaultdict(
            lambda: defaultdict(lambda: defaultdict(list)))
        for r in self.records:
            if r.metric == self.metric and r.strength is not None and r.value is not None:
                series[(r.dataset, r.model, r.perturbation)][(r.train, r.defenses)][
                    r.strength].append(r.value)
        figures = {}
        for (dataset, model, pert), lines in sorted(series.items()):
            if max(len(points) for points in lines.values()) < 2:
                continue
            fig, ax = plt.subplots(figsize=(5.5, 3.6), dpi=110)
            for (train, defenses), points in sorted(lines.items()):
                xs = sorted(points)
                means = [statistics.fmean(points[x]) for x in xs]
                errs = [statistics.stdev(points[x]) if len(points[x]) > 1 else 0 for x in xs]
                name = defenses if train == "none" else f"{defenses} (train: {train})"
                ax.errorbar(xs, means, yerr=errs, marker="o", capsize=3, label=name)
            ax.set_xlabel(f"{pert} strength")
            ax.set_ylabel(self.metric)
            ax.set_title(f"{dataset} / {model}: {pert}")
            ax.grid(alpha=0.3)
            ax.legend(fontsize=8)
            fig.tight_layout()
            buf = io.BytesIO()
            fig.savefig(buf, format="png")
            plt.close(fig)
            figures[f"curve-{dataset}-{model}-{pert}.png"] = buf.getvalue()
        self.figures = figures
        return figures

    # -- example image grids ---------------------------------------------------------------
    def grids(self) -> dict[str, bytes]:
        """One PNG per stored evaluation with example images (image-to-image runs): a row
        each for the input, the model's output and the target, a column per example. Values
        are shown clipped to [0, 1]."""
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
        import numpy as np

        figures = {}
        for (run_id, label), arrays in sorted(self.examples.items()):
            roles = [r for r in ("input", "output", "target") if r in arrays]
            k = min(len(arrays[r]) for r in roles) if roles else 0
            if k == 0:
                continue
            fig, axes = plt.subplots(len(roles), k, figsize=(1.3 * k, 1.4 * len(roles)),
                                     dpi=110, squeeze=False)
            for i, role in enumerate(roles):
                for j in range(k):
                    img = np.asarray(arrays[role][j], dtype=np.float32)
                    img = np.moveaxis(img, 0, -1) if img.ndim == 3 else img
                    if img.ndim == 3 and img.shape[-1] == 1:
                        img = img[..., 0]
                    ax = axes[i][j]
                    ax.imshow(np.clip(img, 0, 1), cmap="gray" if img.ndim == 2 else None,
                              vmin=0, vmax=1, interpolation="nearest")
                    ax.set_xticks([])
                    ax.set_yticks([])
                    if j == 0:
                        ax.set_ylabel(role, fontsize=8)
            fig.suptitle(f"run {run_id}: {label}", fontsize=9)
            fig.tight_layout()
            buf = io.BytesIO()
            fig.savefig(buf, format="png")
            plt.close(fig)
            safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in label)
            figures[f"examples-{run_id}-{safe}.png"] = buf.getvalue()
        self.grid_figures = figures
        return figures

    # -- exports -----------------------------------------------------------------------------
    def markdown(self) -> str:
        cols = self.columns()
        lines = [f"# {self.title}", "", f"Metric: **{self.metric}** (mean ± standard deviation "
                 "over seeds). ⚠ marks a number an integrity check doubts; see below.", ""]
        lines.append("| dataset | model | train | defenses | " + " | ".join(cols) + " |")
        lines.append("|" + "---|" * (4 + len(cols)))
        notes: list[str] = []
        for row in self.rows():
            cells = []
            for label in cols:
                text = self.fmt(self.cell(row, label))
                for f in self.cell_flags(row, label):
                    notes.append(f"{f['message']} ({' / '.join(row)}, {label})")
                    text += f" ⚠{len(notes)}"
                cells.append(text)
            lines.append("| " + " | ".join(row) + " | " + " | ".join(cells) + " |")
        if notes:
            lines += ["", "## Integrity flags", ""]
            lines += [f"{i}. {n}" for i, n in enumerate(notes, 1)]
        for name in self.figures:
            lines += ["", f"![{name}]({name})"]
        if self.grid_figures:
            lines += ["", "## Example images (input, output, target)"]
            for name in self.grid_figures:
                lines += ["", f"![{name}]({name})"]
        return "\n".join(lines) + "\n"

    def html(self) -> str:
        cols = self.columns()
        head = "".join(f"<th>{html.escape(c)}</th>" for c in
                       ["dataset", "model", "train", "defenses", *cols])
        body, notes = [], []
        for row in self.rows():
            tds = "".join(f"<td>{html.escape(x)}</td>" for x in row)
            for label in cols:
                c = self.cell(row, label)
                flags = self.cell_flags(row, label)
                marks = ""
                for f in flags:
                    notes.append(f)
                    marks += (f' <a class="flag" href="#flag{len(notes)}" '
                              f'title="{html.escape(f["message"])}">⚠{len(notes)}</a>')
                shade = "" if c is None or math.isnan(c[0]) else (
                    f' style="background: hsl({int(120 * max(0, min(1, c[0])))}, 60%, 85%)"')
                tds += f"<td{shade}>{html.escape(self.fmt(c))}{marks}</td>"
            body.append(f"<tr>{tds}</tr>")
        note_html = "".join(
            f'<li id="flag{i}"><b>{html.escape(f["check"])}</b> — {html.escape(f["message"])}'
            f' <i>({html.escape(" / ".join(f["row"]))}, {html.escape(f["label"])})</i></li>'
            for i, f in enumerate(notes, 1))
        imgs = "".join(
            f'<figure><img alt="{html.escape(n)}" src="data:image/png;base64,'
            f'{base64.b64encode(png).decode()}"><figcaption>{html.escape(n)}</figcaption>'
            f"</figure>" for n, png in self.figures.items())
        grids = "".join(
            f'<figure><img alt="{html.escape(n)}" src="data:image/png;base64,'
            f'{base64.b64encode(png).decode()}"><figcaption>{html.escape(n)}</figcaption>'
            f"</figure>" for n, png in self.grid_figures.items())
        grid_html = (f"<h2>Example images (input, output, target)</h2>{grids}"
                     if grids else "")
        return f"""<!doctype html>
<html><head><meta charset="utf-8"><title>{html.escape(self.title)}</title>
<style>
body {{ font-family: system-ui, sans-serif; margin: 2em; color: #222; }}
table {{ border-collapse: collapse; font-size: 0.9em; }}
th, td {{ border: 1px solid #ccc; padding: 4px 8px; text-align: right; }}
th {{ background: #f3f3f3; }} td:nth-child(-n+4) {{ text-align: left; }}
a.flag {{ color: #b00; text-decoration: none; font-weight: bold; }}
figure {{ display: inline-block; margin: 1em; }}
</style></head><body>
<h1>{html.escape(self.title)}</h1>
<p>Metric: <b>{html.escape(self.metric)}</b>, mean ± standard deviation over seeds.
⚠ marks a number that an evaluation-integrity check doubts.</p>
<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>
<h2>Integrity flags</h2><ol>{note_html or '<li>none</li>'}</ol>
<h2>Robustness curves</h2>{imgs or '<p>no perturbation was run at several strengths</p>'}
{grid_html}
</body></html>
"""

    def long_rows(self) -> list[dict[str, Any]]:
        return [r.__dict__ | {} for r in self.records]

    def write(self, out_dir: str | Path) -> dict[str, Path]:
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        self.curves()
        self.grids()
        paths = {"html": out / "report.html", "markdown": out / "report.md",
                 "csv": out / "results.csv", "json": out / "results.json"}
        for name, png in {**self.figures, **self.grid_figures}.items():
            (out / name).write_bytes(png)
        paths["html"].write_text(self.html(), encoding="utf-8")
        paths["markdown"].write_text(self.markdown(), encoding="utf-8")
        rows = self.long_rows()
        with open(paths["csv"], "w", newline="", encoding="utf-8") as fh:
            writer = csv.DictWriter(fh, fieldnames=list(Record.__dataclass_fields__))
            writer.writeheader()
            writer.writerows(rows)
        paths["json"].write_text(json.dumps(
            {"metric": self.metric, "matrix": self.matrix(), "records": rows,
             "flags": [{**f, "row": list(f["row"])} for f in self.flags]}, indent=2),
            encoding="utf-8")
        return paths


def build_report(store: Store, *, sweep_id: str | None = None, run_ids: list[str] | None = None,
                 metric: str = "accuracy") -> Report:
    """A report over one sweep, given runs, or (neither given) every finished run."""
    title = "robustkit report card"
    if sweep_id:
        sweep = store.sweep(sweep_id)
        run_ids = [c["run_id"] for c in store.cells(sweep["id"]) if c["status"] == "done"]
        title += f" — sweep {sweep['id']}"
    elif not run_ids:
        run_ids = [r["id"] for r in store.runs() if r["status"] == "done"]
    records, flags = collect(store, run_ids)
    flags += cross_run_flags(records)
    examples = {(run_id, label): arrays for run_id in run_ids
                for label, arrays in store.examples(run_id).items()}
    return Report(metric, records, flags, title, examples=examples)


def flag_from_dict(d: dict[str, Any]) -> Flag:
    return Flag(d["check"], d["label"], d["message"])
