"""``robustkit list``: components per kind, with names never truncated. The table keeps every
name whole on one line (the column never shrinks below its longest name) and folds the other
columns; ``--plain`` prints one tab-separated line per component and ``--json`` a list, both
for scripts and for copying names."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import click
from rich.console import Console
from rich.markup import escape
from rich.table import Table

WIDE = 140  # columns from which tasks and details get their own columns


def spec_dict(spec: Any, details: Callable[[Any], str],
              name_of: Callable[[Any], str] | None = None) -> dict[str, Any]:
    return {"kind": spec.kind.value, "name": name_of(spec) if name_of else spec.name,
            "tasks": [t.value for t in spec.tasks], "details": details(spec),
            "plugin": spec.plugin, "summary": spec.summary}


def print_specs(console: Console, groups: list[tuple[Any, list[Any]]],
                details: Callable[[Any], str], fmt: str = "table",
                name_of: Callable[[Any], str] | None = None) -> None:
    """Print ``(kind, specs)`` groups as a table per kind, plain lines or JSON;
    ``name_of(spec)`` is the name shown (default: ``spec.name``)."""
    name_of = name_of or (lambda spec: spec.name)
    # plain text straight to stdout: rich would wrap long lines at the terminal's width
    if fmt == "json":
        click.echo(json.dumps([spec_dict(s, details, name_of) for _, specs in groups
                               for s in specs], indent=2))
        return
    if fmt == "plain":
        for _, specs in groups:
            for s in specs:
                d = spec_dict(s, details, name_of)
                click.echo("\t".join([d["kind"], d["name"], ",".join(d["tasks"]), d["plugin"],
                                      d["summary"] or ""]))
        return
    # a narrow terminal keeps name, plugin and summary; `describe NAME` has the rest
    wide = console.width >= WIDE
    for kind, specs in groups:
        table = Table(title=kind.plural)
        longest = max((len(name_of(s)) for s in specs), default=4)
        # the name column never wraps, folds or ellipsises: it is what users copy
        table.add_column("name", no_wrap=True, min_width=longest, overflow="ignore")
        for col in ("tasks", "details", "plugin", "summary") if wide else ("plugin", "summary"):
            table.add_column(col, overflow="fold", ratio=3 if col == "summary" else None)
        for s in specs:
            cells = [escape(s.plugin), escape(s.summary or "")]
            if wide:
                cells = [", ".join(t.value for t in s.tasks), escape(details(s)), *cells]
            table.add_row(escape(name_of(s)), *cells)
        console.print(table)
