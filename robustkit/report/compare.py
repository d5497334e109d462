"""Two reports side by side (two sweeps, two runs, or a sweep and a run): for every model row
and perturbation setting either of them has, the value in A, in B and the difference B − A;
the worst cases per threat model the same way. One long, sortable and filterable table, so a
40-column sweep stays readable."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from pathlib import Path

from robustkit.errors import StoreError
from robustkit.report.build import build_report
from robustkit.report.core import Cell, Report
from robustkit.report.html_page import ROW_HEADS, filter_box, num_td, row_tds, shell, text_ths
from robustkit.report.records import Row
from robustkit.store import Store


def report_for(store: Store, ref: str, metric: str) -> Report:
    """A report of ``ref``: a sweep id (or prefix) if one matches, else a run id (or prefix)."""
    try:
        return build_report(store, sweep_id=store.sweep(ref)["id"], metric=metric)
    except StoreError:
        pass
    try:
        run_id = store.run(ref)["id"]
    except StoreError:
        raise StoreError(f"{ref!r} is neither a sweep nor a run in {store.path}; "
                         "`robustkit sweeps` and `robustkit runs` list them") from None
    return build_report(store, run_ids=[run_id], metric=metric)


@dataclass
class Line:
    row: Row
    label: str  # a perturbation setting, or "worst <norm> ε=<eps>"
    a: Cell | None
    b: Cell | None
    flags_a: int
    flags_b: int

    @property
    def delta(self) -> float | None:
        return None if self.a is None or self.b is None else self.b[0] - self.a[0]


@dataclass
class Comparison:
    a: Report
    b: Report
    name_a: str
    name_b: str

    def lines(self) -> list[Line]:
        out = []
        rows = sorted(set(self.a.rows()) | set(self.b.rows()))
        labels = list(dict.fromkeys(self.a.columns() + self.b.columns()))
        for row in rows:
            for label in labels:
                ca, cb = self.a.cell(row, label), self.b.cell(row, label)
                if ca is None and cb is None:
                    continue
                out.append(Line(row, label, ca, cb, len(self.a.cell_groups(row, label)),
                                len(self.b.cell_groups(row, label))))
            tms = list(dict.fromkeys(self.a.threat_models + self.b.threat_models))
            for tm in tms:
                wa, wb = self.a.worst.get((row, tm)), self.b.worst.get((row, tm))
                if wa is None and wb is None:
                    continue
                out.append(Line(row, tm.key, None if wa is None else (wa.mean, wa.std, wa.n),
                                None if wb is None else (wb.mean, wb.std, wb.n), 0, 0))
        return out

    def html(self) -> str:
        body = []
        for ln in self.lines():
            d = ln.delta
            delta = ('<td>–</td>' if d is None else
                     f'<td data-v="{d:.6g}" style="color: {"#070" if d >= 0 else "#b00"}">'
                     f"{d:+.3f}</td>")
            marks = (f"⚠A{ln.flags_a} " if ln.flags_a else "") + (
                f"⚠B{ln.flags_b}" if ln.flags_b else "")
            body.append(f'<tr>{row_tds(ln.row)}<td class="text">{escape(ln.label)}</td>'
                        f"{num_td(ln.a)}{num_td(ln.b)}{delta}"
                        f'<td class="text">{marks}</td></tr>')
        heads = (text_ths((*ROW_HEADS, "setting")) + f'<th data-type="num">A: '
                 f'{escape(self.name_a)}</th><th data-type="num">B: {escape(self.name_b)}</th>'
                 '<th data-type="num">B − A</th><th class="text" data-type="text">flags</th>')
        text = (f"<h1>robustkit comparison</h1><p>A = {escape(self.a.title)}<br>B = "
                f"{escape(self.b.title)}<br>Metric <b>{escape(self.a.metric)}</b>; mean over "
                "seeds; ⚠A/⚠B count the integrity flags on the cell in each report (open each "
                "report for them). Sort by B − A to find what changed most.</p>"
                + filter_box("compare-table", "filter: model, defense, setting…")
                + f'<div class="rk-scroll"><table id="compare-table" class="rk-table"><thead>'
                f'<tr>{heads}</tr></thead><tbody>{"".join(body)}</tbody></table></div>')
        return shell("robustkit comparison", text)

    def markdown(self) -> str:
        out = [f"# robustkit comparison: {self.name_a} (A) vs {self.name_b} (B)", "",
               "| dataset | model | train | defenses | setting | A | B | B − A |",
               "|---|---|---|---|---|---|---|---|"]
        for ln in self.lines():
            d = "–" if ln.delta is None else f"{ln.delta:+.3f}"
            out.append("| " + " | ".join(ln.row) + f" | {ln.label} | {Report.fmt(ln.a)} | "
                       f"{Report.fmt(ln.b)} | {d} |")
        return "\n".join(out) + "\n"

    def write(self, out_dir: str | Path) -> dict[str, Path]:
        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        paths = {"html": out / "compare.html", "markdown": out / "compare.md"}
        paths["html"].write_text(self.html(), encoding="utf-8")
        paths["markdown"].write_text(self.markdown(), encoding="utf-8")
        return paths


def compare(store: Store, ref_a: str, ref_b: str, metric: str = "accuracy") -> Comparison:
    """Compare two sweeps or runs of one store."""
    return Comparison(report_for(store, ref_a, metric), report_for(store, ref_b, metric),
                      ref_a, ref_b)
