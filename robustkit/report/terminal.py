"""The report's matrix in the terminal: short column keys (the legend below the table), the
worst case per threat model, and each flag group once, under the table."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.console import Console
from rich.markup import escape
from rich.table import Table

if TYPE_CHECKING:
    from robustkit.report.core import Report


CELL_WIDTH = 17  # "0.943 ± 0.012 ⚠1" and the borders


def print_matrix(rep: Report, console: Console) -> None:
    """The matrix as it is when it fits the terminal, else transposed: one line per
    setting and a column per model row (a sweep has more settings than models)."""
    wide = 40 + CELL_WIDTH * (len(rep.column_info) + len(rep.threat_models))
    if wide > console.width:
        _print_transposed(rep, console)  # its setting column is the legend
    else:
        _print_wide(rep, console)
        console.print("columns: " + "; ".join(f"{c.key} {escape(c.label)}"
                                              for c in rep.column_info), highlight=False)
    for g in rep.flag_groups:
        console.print(f"[red]⚠{g.number}[/red] {escape(g.check)} — {escape(' / '.join(g.row))}: "
                      f"{escape(g.message)} [dim](cells {escape(', '.join(g.labels))}; seeds "
                      f"{', '.join(map(str, g.seeds))})[/dim]", highlight=False)


def _marks(rep: Report, row: tuple, label: str) -> str:
    return "".join(f" [red]⚠{g.number}[/red]" for g in rep.cell_groups(row, label))


def _print_transposed(rep: Report, console: Console) -> None:
    rows = rep.rows()
    table = Table(title=f"{escape(rep.title)} ({escape(rep.metric)})")
    table.add_column("key", no_wrap=True)
    table.add_column("setting", overflow="fold")
    for row in rows:
        name = " / ".join(x for x in (row[1], row[2], row[3]) if x != "none") or row[1]
        table.add_column(escape(name), justify="right", overflow="fold")
    for c in rep.column_info:
        table.add_row(c.key, escape(c.label), *[
            rep.fmt(rep.cell(row, c.label)) + _marks(rep, row, c.label) for row in rows])
    for tm in rep.threat_models:
        cells = []
        for row in rows:
            w = rep.worst.get((row, tm))
            cells.append("–" if w is None else f"{rep.fmt((w.mean, w.std, w.n))} "
                         f"({escape(', '.join(w.attacks))})")
        table.add_row("worst", f"{tm.norm} ε={tm.eps:g}", *cells)
    console.print(table)


def _print_wide(rep: Report, console: Console) -> None:
    table = Table(title=f"{escape(rep.title)} ({escape(rep.metric)})")
    for col in ("dataset", "model", "train", "defenses"):
        table.add_column(col, overflow="fold")
    for c in rep.column_info:
        table.add_column(c.key, justify="right", no_wrap=True)
    for tm in rep.threat_models:
        table.add_column(f"worst {tm.norm} {tm.eps:g}", justify="right", overflow="fold")
    for row in rep.rows():
        cells = [rep.fmt(rep.cell(row, c.label)) + _marks(rep, row, c.label)
                 for c in rep.column_info]
        for tm in rep.threat_models:
            w = rep.worst.get((row, tm))
            cells.append("–" if w is None else f"{rep.fmt((w.mean, w.std, w.n))} "
                         f"({escape(', '.join(w.attacks))})")
        table.add_row(*map(escape, row), *cells)
    console.print(table)
