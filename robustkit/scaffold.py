"""``robustkit new-plugin``: write a ready-to-install plugin package from the templates in
``robustkit/templates``.

A perturbation, the simplest kind, is one module (params, implementation and register hook)
plus ``pyproject.toml`` and a README. The other kinds get a package with a ``pyproject.toml``
with the entry point, a working example component, its behaviour tests, the one-line contract
test and a README. Each installs with ``pip install -e .`` and keeps every contract as
generated.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

from robustkit.errors import RobustkitError

KINDS = ("defense", "perturbation", "model", "dataset", "metric")
SINGLE_MODULE = ("perturbation",)  # kinds whose plugin is one module
NAME_RE = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")

# per kind: the implementation module's name, a summary, and what the contract tests check
_KIND_FACTS = {
    "defense": ("squeeze", "bit-depth reduction of the inputs (feature squeezing, Xu et al. 2018)",
                ", a defense returns a model of the same interface"),
    "perturbation": ("dropout", "sets a random share of input values to the lower bound",
                     ", a perturbation stays in the data bounds"),
    "model": ("net", "a one-hidden-layer perceptron on flattened inputs", ""),
    "dataset": ("rings", "seeded concentric rings in the plane, one class per ring",
                ", the data validates against its DataInfo"),
    "metric": ("error", "top-k error rate of the class scores",
               ", a metric gives nan on an empty batch"),
}

_USAGE = {
    "defense": 'dataset="digits", model="small-cnn", defenses=["{{name}}"],\n'
               '                  perturbations=["gaussian-noise"]',
    "perturbation": ('dataset="digits", model="small-cnn",\n                  '
                     'perturbations=[{"name": "{{name}}", "fraction": [0.1, 0.3]}]'),
    "model": 'dataset="digits", model="{{name}}"',
    "dataset": 'dataset="{{name}}", model="mlp"',
    "metric": 'dataset="digits", model="small-cnn", metrics=["accuracy", "{{name}}"]',
}


@dataclass(frozen=True)
class PluginNames:
    """The names one plugin uses: component/entry point, distribution, package, class."""

    name: str
    dist: str
    package: str
    cls: str


def plugin_names(name: str) -> PluginNames:
    """``my-defense`` → robustkit-my-defense / robustkit_my_defense / MyDefense."""
    raw = name.strip()
    base = raw.removeprefix("robustkit-")
    if not NAME_RE.match(base):
        raise RobustkitError(
            f"plugin name {raw!r} is not valid: use lower-case letters, digits and single "
            "dashes, starting with a letter (e.g. 'median-filter')"
        )
    cls = "".join(part.capitalize() for part in base.split("-"))
    return PluginNames(base, f"robustkit-{base}", "robustkit_" + base.replace("-", "_"), cls)


def _template(kind: str, filename: str) -> str:
    return files("robustkit").joinpath("templates", kind, filename).read_text(encoding="utf-8")


def _fill(text: str, values: dict[str, str]) -> str:
    for key, value in values.items():
        text = text.replace("{{" + key + "}}", value)
    leftover = re.search(r"\{\{\w+\}\}", text)
    if leftover:  # a template names a value the scaffold does not know: a robustkit bug
        raise RuntimeError(f"unfilled template placeholder {leftover.group(0)}")
    return text


def render_plugin(name: str, kind: str) -> dict[str, str]:
    """The files of a new plugin package, as {relative path: text}."""
    from robustkit import __version__

    if kind not in KINDS:
        raise RobustkitError(f"unknown plugin kind {kind!r}; choose one of {', '.join(KINDS)}")
    n = plugin_names(name)
    module, summary, kind_contracts = _KIND_FACTS[kind]
    values = {
        "name": n.name, "dist": n.dist, "package": n.package, "class": n.cls, "kind": kind,
        "module": module, "summary": summary, "kind_contracts": kind_contracts,
        "kernel_version": __version__,
        "contract_options": ", stochastic=True" if kind in ("perturbation", "dataset") else "",
    }
    usage = _fill(_USAGE[kind], values)
    values["usage"] = ("In Python (with the first-party plugins it names installed):\n\n"
                       "```python\nfrom robustkit import Pipeline\n\n"
                       f"result = Pipeline({usage}).run()\nprint(result.table())\n```")
    if kind in SINGLE_MODULE:
        out = {
            "pyproject.toml": _template(kind, "pyproject.toml.tmpl"),
            "README.md": _template(kind, "README.md.tmpl"),
            f"{n.package}.py": _template(kind, "single.py.tmpl"),
        }
        return {path: _fill(text, values) for path, text in out.items()}
    src = f"src/{n.package}"
    out = {
        "pyproject.toml": _template("common", "pyproject.toml.tmpl"),
        "README.md": _template("common", "README.md.tmpl"),
        f"{src}/__init__.py": _template("common", "__init__.py.tmpl"),
        f"{src}/params.py": _template(kind, "params.py.tmpl"),
        f"{src}/plugin.py": _template(kind, "plugin.py.tmpl"),
        f"{src}/{module}.py": _template(kind, "module.py.tmpl"),
        "tests/test_contracts.py": _template("common", "test_contracts.py.tmpl"),
        f"tests/test_{module}.py": _template(kind, "test_module.py.tmpl"),
    }
    return {path: _fill(text, values) for path, text in out.items()}


def write_plugin(name: str, kind: str, directory: str | Path = ".", *,
                 force: bool = False) -> Path:
    """Write the package into ``directory/robustkit-<name>`` and return that path.

    Refuses to overwrite an existing non-empty folder unless ``force``.
    """
    files_ = render_plugin(name, kind)
    root = Path(directory) / plugin_names(name).dist
    if root.exists() and any(root.iterdir()) and not force:
        raise RobustkitError(f"{root} already exists and is not empty; choose another name or "
                             "directory, or pass --force to overwrite the generated files")
    for rel, text in files_.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root
