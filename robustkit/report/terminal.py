"""The report's matrix in the terminal: short column keys (the legend below the table), the
worst case per threat model, and each flag group once, under the table."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Console
from rich.markup import escape
from rich.table import Table

if TYPE_CHECKING:
    from robustkit.report.core import Report


def print_matrix(rep: Report, console: Console) -> None:
    table = Table(title=f"{escape(rep.title)} ({escape(rep.metric)})")
    for col in ("dataset", "model", "train", "defenses"):
        table.add_column(col, overflow="fold")
    for c in rep.column_info:
        table.add_column(c.key, justify="right", no_wrap=True)
    for tm in rep.threat_models:
        table.add_column(f"worst {tm.norm} {tm.eps:g}", justify="right", overflow="fold")
    for row in rep.rows():
        cells = []
        for c in rep.column_info:
            marks = "".join(f" [red]⚠{g.number}[/red]" for g in rep.cell_groups(row, c.label))
            cells.append(rep.fmt(rep.cell(row, c.label)) + marks)
        for tm in rep.threat_models:
            w = rep.worst.get((row, tm))
            cells.append("–" if w is None else f"{rep.fmt((w.mean, w.std, w.n))} "
                         f"({escape(', '.join(w.attacks))})")
        table.add_row(*map(escape, row), *cells)
    console.print(table)
    console.print("columns: " + "; ".join(f"{c.key} {escape(c.label)}" for c in rep.column_info),
                  highlight=False)
    for g in rep.flag_groups:
        console.print(f"[red]⚠{g.number}[/red] {escape(g.check)} — {escape(' / '.join(g.row))}: "
                      f"{escape(g.message)} [dim](cells {escape(', '.join(g.labels))}; seeds "
                      f"{', '.join(map(str, g.seeds))})[/dim]", highlight=False)
