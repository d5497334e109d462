"""Write docs/hooks.md, the hook reference, from the docstrings in robustkit/hookspecs.py.

    python tools/gen_hooks_doc.py          # rewrite docs/hooks.md
    python tools/gen_hooks_doc.py --check  # exit 1 if docs/hooks.md is out of date

tests/test_docs.py runs the check, so a hook added to hookspecs.py without regenerating the
reference (or a hook without a docstring) fails the test suite.
"""

from __future__ import annotations

import enum
import inspect
import re
import sys
from pathlib import Path

HOOKS_MD = Path(__file__).resolve().parents[1] / "docs" / "hooks.md"
REGISTER_KINDS = "Register hooks"
LIFECYCLE = "Lifecycle hooks"


def hook_functions() -> dict[str, object]:
    """Every function in robustkit.hookspecs that pluggy knows as a hookspec, in file order."""
    from robustkit import hookspecs

    marker = f"{hookspecs.PROJECT}_spec"
    found = {name: fn for name, fn in vars(hookspecs).items()
             if inspect.isfunction(fn) and hasattr(fn, marker)}
    return dict(sorted(found.items(), key=lambda kv: kv[1].__code__.co_firstlineno))


def hook_parameters(fn: object) -> list[str]:
    return list(inspect.signature(fn).parameters)


def _markdown(doc: str) -> str:
    """The reST of the docstrings as Markdown: ``code``, :role:`x`, :param x: lists and
    ``::`` literal blocks (as fenced Python)."""
    doc = re.sub(r":(?:class|func|data|meth|mod|attr):`~?([^`]+)`", r"`\1`", doc)
    doc = doc.replace("``", "`")
    out: list[str] = []
    lines = doc.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.endswith("::"):
            out += [line[:-1], "", "```python"]
            i += 1
            block: list[str] = []
            while i < len(lines) and (not lines[i].strip() or lines[i].startswith("    ")):
                block.append(lines[i][4:])
                i += 1
            while block and not block[0].strip():
                block.pop(0)
            while block and not block[-1].strip():
                block.pop()
            out += [*block, "```", ""]
            continue
        m = re.match(r"^:param (\w+):\s*(.*)$", line)
        if m:
            if not out or not out[-1].startswith(("- `", "  ")):
                out.append("**Parameters**\n")
            out.append(f"- `{m.group(1)}`: {m.group(2)}")
        elif line.startswith("    ") and out and out[-1].startswith(("- `", "  ")):
            out.append("  " + line.strip())
        else:
            out.append(line)
        i += 1
    return "\n".join(out).strip()


def _signature(name: str, fn: object) -> str:
    sig = inspect.signature(fn)
    params = ", ".join(
        f"{p.name}: {p.annotation}" if p.annotation is not inspect.Parameter.empty else p.name
        for p in sig.parameters.values()
    )
    return f"{name}({params})"


def _registrar_section() -> list[str]:
    """The `register` object: its class docstring, then each typed method."""
    from robustkit.registrar import Registrar

    lines = ["## The `register` object", "", _markdown(inspect.getdoc(Registrar) or ""), ""]
    for name, fn in vars(Registrar).items():
        if name.startswith("_") or name == "for_kind" or not inspect.isfunction(fn):
            continue
        lines += [f"### `register.{name}`", "", "```python", _method_signature(name, fn),
                  "```", "", _markdown(inspect.getdoc(fn) or ""), ""]
    lines += ["The deprecated form `register(name, factory, **options)` still works and warns "
              "once per plugin, naming the typed call; `extra={...}` keys become `check`, "
              "`threat` and `all_installed`.", ""]
    return lines


def _default(value: object) -> str:
    """A default as a reader writes it: enum values, not reprs; every member as 'all'."""
    if isinstance(value, tuple) and value and all(isinstance(v, enum.Enum) for v in value):
        members = type(value[0])
        if set(value) == set(members):
            return f"<every {members.__name__}>"
        return repr([v.value for v in value])
    return repr(value)


def _method_signature(name: str, fn: object) -> str:
    """``register.name(`` then one parameter a line, keyword-only after ``*``."""
    out, star = [f"register.{name}("], False
    for p in list(inspect.signature(fn).parameters.values())[1:]:
        if p.kind is inspect.Parameter.KEYWORD_ONLY and not star:
            out.append("    *,")
            star = True
        text = f"    {p.name}: {p.annotation}".replace("'", "")
        if p.default is not inspect.Parameter.empty:
            text += f" = {_default(p.default)}"
        out.append(text + ",")
    return "\n".join(out) + "\n)"


def _protocols_section() -> list[str]:
    """One section per component contract (robustkit/protocols.py)."""
    from robustkit import protocols

    lines = ["## Component contracts", "", _markdown(inspect.getdoc(protocols) or ""), ""]
    for name, cls in vars(protocols).items():
        if inspect.isclass(cls) and cls.__module__ == protocols.__name__:
            lines += [f"### `robustkit.{name}`", "", _markdown(inspect.getdoc(cls) or ""), ""]
    from robustkit.components import Threat

    lines += ["### `robustkit.Threat`", "", _markdown(inspect.getdoc(Threat) or ""), ""]
    return lines


def render() -> str:
    from robustkit import hookspecs

    hooks = hook_functions()
    lines = [
        "# Hook reference",
        "",
        "<!-- generated from robustkit/hookspecs.py by `python tools/gen_hooks_doc.py`; "
        "do not edit by hand -->",
        "",
        _markdown(inspect.getdoc(hookspecs) or ""),
        "",
        *_registrar_section(),
        *_protocols_section(),
    ]
    for title, pick in ((REGISTER_KINDS, True), (LIFECYCLE, False)):
        lines += [f"## {title}", ""]
        for name, fn in hooks.items():
            if name.startswith("robustkit_register_") != pick:
                continue
            doc = inspect.getdoc(fn)
            if not doc:
                raise SystemExit(f"hook {name} has no docstring: document it in hookspecs.py")
            lines += [f"### `{name}`", "", "```python", _signature(name, fn), "```", "",
                      _markdown(doc), ""]
    return "\n".join(lines).rstrip() + "\n"


def main(argv: list[str]) -> int:
    text = render()
    if "--check" in argv:
        current = HOOKS_MD.read_text(encoding="utf-8") if HOOKS_MD.exists() else ""
        if current != text:
            print(f"{HOOKS_MD} is out of date: run python tools/gen_hooks_doc.py")
            return 1
        return 0
    HOOKS_MD.parent.mkdir(exist_ok=True)
    HOOKS_MD.write_text(text, encoding="utf-8")
    print(f"wrote {HOOKS_MD}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
