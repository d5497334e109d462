"""``robustkit list``: components per kind, with names never truncated. The table keeps every
name whole on one line (the column never shrinks below its longest name) and folds the other
columns; ``--plain`` prints one tab-separated line per component and ``--json`` a list, both
for scripts and for copying names."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.table import Table


def spec_dict(spec: Any, details: Callable[[Any], str]) -> dict[str, Any]:
    return {"kind": spec.kind.value, "name": spec.name,
            "tasks": [t.value for t in spec.tasks], "details": details(spec),
            "plugin": spec.plugin, "summary": spec.summary}


def print_specs(console: Console, groups: list[tuple[Any, list[Any]]],
                details: Callable[[Any], str], fmt: str = "table") -> None:
    """Print ``(kind, specs)`` groups as a table per kind, plain lines or JSON."""
    if fmt == "json":
        console.out(json.dumps([spec_dict(s, details) for _, specs in groups for s in specs],
                               indent=2), highlight=False)
        return
    if fmt == "plain":
        for _, specs in groups:
            for s in specs:
                d = spec_dict(s, details)
                console.out("\t".join([d["kind"], d["name"], ",".join(d["tasks"]),
                                       d["plugin"], d["summary"] or ""]), highlight=False,
                            soft_wrap=True)
        return
    for kind, specs in groups:
        table = Table(title=kind.plural)
        longest = max((len(s.name) for s in specs), default=4)
        # the name column never wraps, folds or ellipsises: it is what users copy
        table.add_column("name", no_wrap=True, min_width=longest, overflow="ignore")
        for col in ("tasks", "details", "plugin", "summary"):
            table.add_column(col, overflow="fold")
        for s in specs:
            table.add_row(escape(s.name), ", ".join(t.value for t in s.tasks),
                          escape(details(s)), escape(s.plugin), escape(s.summary or ""))
        console.print(table)
