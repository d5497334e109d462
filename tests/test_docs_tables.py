"""Every measured number in docs/ traces to a committed artefact, or says that it does not.

The convention (docs/benchmarks.md, "Where the numbers come from"): a Markdown table that
holds measured numbers (a decimal or a percentage in its body) is preceded, within the three
non-blank lines above it, by exactly one of

- ``<!-- results: benchmarks/results/NAME.json -->`` (optionally ``scale=100`` when the table
  shows percentages of fractions; a number may then match a JSON value as it is or scaled):
  every number in the table body, outside its first column, must appear in that JSON file at
  the precision shown. The JSON is written by the committed
  script the surrounding text names, with the command that produced it.
- ``> **Not reproduced:** ...`` (a visible note): the figures come from no committed script
  and JSON, or from a script whose raw output was not kept; the note says which.
- ``<!-- reference -->``: the numbers are settings, defaults or definitions, not measurements.

The check is deliberately light: a number matches if some number in the JSON rounds to it.
It catches a table edited by hand, a rerun whose JSON was not committed, and a table nobody
traced.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PAGES = sorted((ROOT / "docs").rglob("*.md")) + [ROOT / "README.md"]
SEPARATOR = re.compile(r"^\|(\s*:?-+:?\s*\|)+\s*$")
MEASURED = re.compile(r"\d\.\d|\d\s?%")
RESULTS = re.compile(r"<!--\s*results:\s*(\S+)((?:\s+\w+=\S+)*)\s*-->")
NUMBER = re.compile(r"(?<![\w.])[-−+]?\d+(?:\.\d+)?(?:[eE][-−+]?\d+)?")


def tables(path: Path) -> list[tuple[int, list[str], list[str]]]:
    """(line number, the three non-blank lines above, body rows) per Markdown table."""
    lines = path.read_text(encoding="utf-8").splitlines()
    found, i = [], 0
    while i < len(lines) - 1:
        if lines[i].lstrip().startswith("|") and SEPARATOR.match(lines[i + 1].strip()):
            j = i + 2
            while j < len(lines) and lines[j].lstrip().startswith("|"):
                j += 1
            above = [s for s in lines[max(0, i - 8):i] if s.strip()][-3:]
            found.append((i + 1, above, lines[i + 2:j]))
            i = j
        else:
            i += 1
    return found


def cells(row: str) -> list[str]:
    return [c.strip() for c in row.strip().strip("|").split("|")]


def json_numbers(value) -> list[float]:
    if isinstance(value, bool):
        return []
    if isinstance(value, int | float):
        return [float(value)] if math.isfinite(value) else []
    if isinstance(value, dict):
        return [x for v in value.values() for x in json_numbers(v)]
    if isinstance(value, list):
        return [x for v in value for x in json_numbers(v)]
    return []


def shown(token: str) -> tuple[float, float]:
    """The value of a number as printed, and half a unit of its last printed digit."""
    token = token.replace("−", "-")
    value = float(token)
    mantissa, _, exponent = token.lower().partition("e")
    decimals = len(mantissa.split(".")[1]) if "." in mantissa else 0
    half = 0.5 * 10.0 ** (-decimals) * 10.0 ** (int(exponent) if exponent else 0)
    return value, half


def matches(token: str, pool: list[float], scale: float) -> bool:
    value, half = shown(token)
    # a little slack over half a unit: values exactly on a rounding boundary
    return any(abs(x * scale - value) <= half * 1.001 + 1e-12 or abs(abs(x * scale) - abs(value))
               <= half * 1.001 + 1e-12 for x in pool)


def annotated() -> list[tuple[str, int, list[str], list[str]]]:
    out = []
    for page in PAGES:
        for line, above, body in tables(page):
            out.append((str(page.relative_to(ROOT)), line, above, body))
    return out


ALL = annotated()


def _kind(above: list[str]) -> str | None:
    text = "\n".join(above)
    if RESULTS.search(text):
        return "results"
    if "**Not reproduced:**" in text:
        return "unreproduced"
    if "<!-- reference -->" in text:
        return "reference"
    return None


@pytest.mark.parametrize("page, line, above, body", [
    pytest.param(*t, id=f"{t[0]}:{t[1]}") for t in ALL
    if MEASURED.search("\n".join(t[3]))])
def test_every_table_of_measured_numbers_says_where_they_come_from(page, line, above, body):
    assert _kind(above) is not None, (
        f"{page}:{line}: a table of measured numbers with no '<!-- results: ... -->', "
        "'> **Not reproduced:** ...' or '<!-- reference -->' in the lines above it (see "
        "tests/test_docs_tables.py)")


@pytest.mark.parametrize("page, line, above, body", [
    pytest.param(*t, id=f"{t[0]}:{t[1]}") for t in ALL if _kind(t[2]) == "results"])
def test_results_tables_agree_with_their_json(page, line, above, body):
    match = RESULTS.search("\n".join(above))
    assert match is not None
    source = ROOT / match.group(1)
    assert source.is_file(), f"{page}:{line}: {match.group(1)} is not in the repository"
    options = dict(o.split("=", 1) for o in match.group(2).split())
    scale = float(options.get("scale", 1))
    raw = json_numbers(json.loads(source.read_text(encoding="utf-8")))
    pool = raw + [x * scale for x in raw] if scale != 1 else raw
    wrong = []
    for row in body:
        for cell in cells(row)[1:]:
            for token in NUMBER.findall(cell.replace("`", "")):
                if not matches(token, pool, 1.0):
                    wrong.append(f"{token!r} in {cell!r}")
    assert not wrong, f"{page}:{line}: not in {match.group(1)}: " + "; ".join(wrong)


def test_the_matcher_is_not_vacuous():
    pool = [0.2534, 14.38, 0.000243]
    assert matches("0.253", pool, 1) and matches("14.4", pool, 1)
    assert matches("2.43e-4", pool, 1) and matches("25.3", pool, 100)
    assert not matches("0.254", pool, 1) and not matches("14.3", pool, 1)
    assert not matches("2.5e-4", pool, 1)
