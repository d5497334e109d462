"""The report card's files: report.html, report.md, results.csv (one row per stored number,
with its stored facts) and results.json (matrix, worst cases, flags, provenance), plus the
curve PNGs."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import TYPE_CHECKING

from robustkit.report.leaderboard import leaderboards

if TYPE_CHECKING:
    from robustkit.report.core import Report


def markdown(rep: Report) -> str:
    cols = rep.column_info
    lines = [f"# {rep.title}", "", f"Metric: **{rep.metric}** (mean ± standard deviation over "
             "seeds). Columns are keys c0, c1, …, listed in full under *Column legend*. ⚠N "
             "marks a number an integrity check doubts; *worst* columns give the lowest value "
             "over the attacks of one threat model.", ""]
    worst_heads = [f"worst {tm.norm} {tm.eps:g}" for tm in rep.threat_models]
    lines.append("| dataset | model | train | defenses | " + " | ".join(
        [c.key for c in cols] + worst_heads) + " |")
    lines.append("|" + "---|" * (4 + len(cols) + len(worst_heads)))
    for row in rep.rows():
        cells = []
        for c in cols:
            marks = "".join(f" ⚠{g.number}" for g in rep.cell_groups(row, c.label))
            cells.append(rep.fmt(rep.cell(row, c.label)) + marks)
        for tm in rep.threat_models:
            w = rep.worst.get((row, tm))
            cells.append("–" if w is None else
                         f"{rep.fmt((w.mean, w.std, w.n))} ({', '.join(w.attacks)})")
        lines.append("| " + " | ".join(row) + " | " + " | ".join(cells) + " |")
    for board in leaderboards(rep):
        tm = board.threat_model
        lines += ["", f"## Leaderboard: {tm.norm} ball, ε = {tm.eps:g}", "",
                  "| rank | model | defenses | clean | worst case | by |",
                  "|---|---|---|---|---|---|"]
        for rank, (row, clean, worst, _) in enumerate(board.entries, 1):
            lines.append(f"| {rank} | {row[0]} / {row[1]} | {row[3]} | {rep.fmt(clean)} | "
                         f"{rep.fmt((worst.mean, worst.std, worst.n))} | "
                         f"{', '.join(worst.attacks)} |")
    if rep.flag_groups:
        lines += ["", "## Integrity flags", ""]
        lines += [f"{g.number}. **{g.check}** ({' / '.join(g.row)}; cells "
                  f"{', '.join(g.labels)}; seeds {', '.join(map(str, g.seeds))}): {g.message}"
                  for g in rep.flag_groups]
    lines += ["", "## Column legend", "", "| key | setting | threat | norm |", "|---|---|---|---|"]
    lines += [f"| {c.key} | {c.label} | {c.threat} | {c.norm or '–'} |" for c in cols]
    p = rep.provenance()
    lines += ["", "## Provenance", "",
              f"- robustkit {', '.join(p['kernel_versions'])}; plugins: " + ", ".join(
                  f"{k} {'/'.join(v)}" for k, v in p["plugins"].items()),
              f"- seeds {p['seeds']}, epochs {p['epochs']}, training samples "
              f"{p['train_samples']}, evaluated samples {p['eval_samples']}",
              f"- runs ({p['runs']}): {', '.join(p['run_ids'])}"]
    for name in rep.figures:
        lines += ["", f"![{name}]({name})"]
    if rep.grid_figures:
        lines += ["", "## Example images (input, output, target)"]
        for name in rep.grid_figures:
            lines += ["", f"![{name}]({name})"]
    return "\n".join(lines) + "\n"


def write(rep: Report, out_dir: str | Path) -> dict[str, Path]:
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    rep.curves()
    rep.grids()
    paths = {"html": out / "report.html", "markdown": out / "report.md",
             "csv": out / "results.csv", "json": out / "results.json"}
    for name, png in {**rep.figures, **rep.grid_figures}.items():
        (out / name).write_bytes(png)
    paths["html"].write_text(rep.html(), encoding="utf-8")
    paths["markdown"].write_text(markdown(rep), encoding="utf-8")
    rows = rep.long_rows()
    with open(paths["csv"], "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]) if rows else ["run_id"])
        writer.writeheader()
        writer.writerows(rows)
    paths["json"].write_text(json.dumps(
        {"metric": rep.metric, "matrix": rep.matrix(), "records": rows,
         "columns": [c.__dict__ for c in rep.column_info],
         "flags": [g.as_dict() for g in rep.flag_groups],
         "provenance": rep.provenance()}, indent=2, default=str), encoding="utf-8")
    return paths
