"""The report card as one self-contained HTML page: matrix, leaderboard, flags, curves, column
legend and provenance; the CSS and the sorting/filtering script are inlined (no CDN, the page
works offline)."""

from __future__ import annotations

import base64
import math
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING, Any

from robustkit.report.leaderboard import leaderboards

if TYPE_CHECKING:
    from robustkit.report.core import Cell, Report
    from robustkit.report.flags import FlagGroup

ASSETS = Path(__file__).parent / "assets"
ROW_HEADS = ("dataset", "model", "train", "defenses")


def shell(title: str, body: str) -> str:
    css = (ASSETS / "report.css").read_text(encoding="utf-8")
    js = (ASSETS / "report.js").read_text(encoding="utf-8")
    return (f'<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{escape(title)}</title><style>{css}</style></head><body>\n{body}\n"
            f"<script>{js}</script></body></html>\n")


def num_td(c: Cell | None, extra: str = "", css: str = "", marks: str = "") -> str:
    """A numeric cell: sortable value in data-v, mean, spread below, colour by value."""
    if c is None:
        return f'<td class="{css}">–{marks}</td>'
    mean, std, n = c
    shade = "" if math.isnan(mean) else (
        f' style="background: hsl({int(120 * max(0.0, min(1.0, mean)))}, 60%, 88%)"')
    spread = f"<small>±{std:.3f}</small>" if n > 1 else ""
    return (f'<td class="{css}" data-v="{mean:.6g}" title="mean of {n} seed(s)"{shade}>'
            f"{mean:.3f}{spread}{extra}{marks}</td>")


def flag_marks(groups: list[FlagGroup]) -> str:
    return "".join(f' <a class="flag" href="#flag{g.number}" title="{escape(g.check)}: '
                   f'{escape(g.message)}">⚠{g.number}</a>' for g in groups)


def filter_box(table_id: str, hint: str) -> str:
    return (f'<div class="rk-tools"><input type="search" class="rk-filter" '
            f'data-table="{table_id}" placeholder="{escape(hint)}" aria-label="filter">'
            f'<span class="muted" id="{table_id}-count"></span></div>')


def row_tds(row: tuple) -> str:
    return "".join(f'<td class="text">{escape(x)}</td>' for x in row)


def by_keys(rep: Report, labels: list[str]) -> str:
    """'by c18' under a worst case: the attack's column key, its full label on hover."""
    key = {c.label: c.key for c in rep.column_info}
    return (f'<small title="{escape(", ".join(labels))}">by '
            f"{escape(', '.join(key.get(lb, lb) for lb in labels))}</small>")


def num_th(key: str, text: str, title: str, css: str = "") -> str:
    """A numeric column's header: its short key, then its short label written bottom-up."""
    return (f'<th data-type="num" class="{css}" title="{escape(title)}"><span class="key">'
            f'{escape(key)}</span><div class="vt">{escape(text)}</div></th>')


def text_ths(names: tuple[str, ...] | list[str]) -> str:
    return "".join(f'<th class="text" data-type="text">{escape(h)}</th>' for h in names)


def matrix_html(rep: Report) -> str:
    cols = rep.column_info
    heads = text_ths(ROW_HEADS)
    heads += "".join(num_th(c.key, c.short, c.label) for c in cols)
    heads += "".join(num_th("worst", f"{tm.norm} {tm.eps:g}", f"{tm.key}: lowest {rep.metric} "
                            "over the attacks of this threat model", "worst")
                     for tm in rep.threat_models)
    body = []
    for row in rep.rows():
        tds = row_tds(row)
        for c in cols:
            groups = rep.cell_groups(row, c.label)
            tds += num_td(rep.cell(row, c.label), css="flagged" if groups else "",
                          marks=flag_marks(groups))
        for tm in rep.threat_models:
            w = rep.worst.get((row, tm))
            cell = None if w is None else (w.mean, w.std, w.n)
            tds += num_td(cell, extra=by_keys(rep, w.attacks) if w else "", css="worst")
        body.append(f"<tr>{tds}</tr>")
    return (filter_box("matrix-table", "filter rows: model, defense… (-word excludes)")
            + '<div class="rk-scroll"><table id="matrix-table" class="rk-table" data-sticky="4">'
            + f'<thead><tr>{heads}</tr></thead><tbody>{"".join(body)}</tbody></table></div>')


def legend_html(rep: Report) -> str:
    rows = "".join(
        f'<tr><td class="text">{c.key}</td><td class="text">{escape(c.label)}</td>'
        f'<td class="text">{escape(c.threat)}</td><td class="text">{escape(c.norm or "–")}</td>'
        f'<td class="text">{escape(c.config)}</td>'
        f'<td data-v="{"" if c.strength is None else c.strength}">'
        f'{"–" if c.strength is None else f"{c.strength:g}"}</td></tr>'
        for c in rep.column_info)
    return (filter_box("legend-table", "filter columns")
            + '<div class="rk-scroll"><table id="legend-table" class="rk-table"><thead><tr>'
            + text_ths(("key", "setting", "threat", "norm", "config"))
            + f'<th data-type="num">strength</th></tr></thead><tbody>{rows}</tbody></table>'
            "</div>")


def leaderboard_html(rep: Report) -> str:
    out = []
    key = {c.label: c.key for c in rep.column_info}
    short = {c.label: c.short for c in rep.column_info}
    for i, board in enumerate(leaderboards(rep)):
        tid = f"board-{i}"
        heads = ('<th data-type="num">rank</th>' + text_ths(ROW_HEADS)
                 + '<th data-type="num">clean</th><th data-type="num" class="worst">worst '
                 f"{escape(board.threat_model.norm)} ε={board.threat_model.eps:g}</th>"
                 + "".join(num_th(key[a], short[a], a) for a in board.attacks))
        rows = []
        for rank, (row, clean, worst, per) in enumerate(board.entries, 1):
            by = by_keys(rep, worst.attacks)
            rows.append(f'<tr><td data-v="{rank}">{rank}</td>{row_tds(row)}{num_td(clean)}'
                        f"{num_td((worst.mean, worst.std, worst.n), extra=by, css='worst')}"
                        + "".join(num_td(c) for c in per) + "</tr>")
        out.append(f"<h3>{escape(board.threat_model.norm)} ball, ε = "
                   f"{board.threat_model.eps:g}</h3>" + filter_box(tid, "filter models")
                   + f'<div class="rk-scroll"><table id="{tid}" class="rk-table"><thead><tr>'
                   f'{heads}</tr></thead><tbody>{"".join(rows)}</tbody></table></div>')
    return "".join(out) or ('<p class="muted">no norm-bounded attack with an ε strength was '
                            "run, so there is no threat model to rank by</p>")


def flags_html(rep: Report) -> str:
    key = {c.label: c.key for c in rep.column_info}
    items = "".join(
        f'<li id="flag{g.number}"><b>{escape(g.check)}</b> — {escape(" / ".join(g.row))}: '
        f"{escape(g.message)}<br><span class=\"muted\">cells: "
        f"{escape(', '.join(f'{key.get(lb, lb)} {lb}' for lb in g.labels))}; seeds "
        f"{', '.join(map(str, g.seeds)) or '–'}"
        f"{f'; {g.count} stored flags merged' if g.count > 1 else ''}</span></li>"
        for g in rep.flag_groups)
    return f'<ol class="flags">{items or "<li>none</li>"}</ol>'


def provenance_html(rep: Report) -> str:
    p = rep.provenance()

    def join(values: list[Any]) -> str:
        return escape(", ".join(map(str, values))) or "–"

    plugins = ", ".join(f"{k} {'/'.join(v)}" for k, v in p["plugins"].items())
    items = [("robustkit", join(p["kernel_versions"])), ("plugins", escape(plugins) or "–"),
             ("seeds", join(p["seeds"])), ("training epochs", join(p["epochs"])),
             ("training samples", join(p["train_samples"])),
             ("evaluated samples", join(p["eval_samples"])),
             (f"runs ({p['runs']})", join(p["run_ids"]))]
    return '<dl class="prov">' + "".join(f"<dt>{k}</dt><dd>{v}</dd>" for k, v in items) + "</dl>"


def figures_html(figures: dict[str, bytes]) -> str:
    return "".join(
        f'<figure><img alt="{escape(n)}" src="data:image/png;base64,'
        f'{base64.b64encode(png).decode()}"><figcaption>{escape(n)}</figcaption></figure>'
        for n, png in figures.items())


def page(rep: Report) -> str:
    curves = figures_html(rep.figures) or (
        '<p class="muted">no perturbation config was run at several strengths</p>')
    grids = figures_html(rep.grid_figures)
    body = f"""<h1>{escape(rep.title)}</h1>
<p>Metric: <b>{escape(rep.metric)}</b>, mean and standard deviation over seeds (n = seeds).
Column headers are short keys (c1, c2, …): the <a href="#legend">legend</a> gives each in
full. ⚠N marks a number that an evaluation-integrity check doubts (see
<a href="#flags">flags</a>); <i>worst</i> columns give the lowest value over the attacks of
one threat model.
Click a header to sort; type in a box to filter.</p>
<nav><a href="#matrix">matrix</a><a href="#leaderboard">leaderboard</a>
<a href="#flags">flags</a><a href="#curves">curves</a><a href="#legend">legend</a>
<a href="#provenance">provenance</a></nav>
<h2 id="matrix">Matrix</h2>{matrix_html(rep)}
<h2 id="leaderboard">Leaderboard</h2>{leaderboard_html(rep)}
<h2 id="flags">Integrity flags</h2>{flags_html(rep)}
<h2 id="curves">Robustness curves</h2>{curves}
{f"<h2>Example images (input, output, target)</h2>{grids}" if grids else ""}
<h2 id="legend">Column legend</h2>{legend_html(rep)}
<h2 id="provenance">Provenance</h2>{provenance_html(rep)}"""
    return shell(rep.title, body)
