"""Params models built from the catalog (no torchattacks, no torch): one per attack.

Types come from torchattacks' defaults (integer defaults of real-valued arguments such as CW's
``c`` are typed as floats by the generator). Numbers get a sanity range (non-negative, at most
1e6); torchattacks' own argument checks run at validation. Every model adds ``targeted``.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Annotated, Any

from pydantic import Field, create_model

from robustkit import LazyParams, Params


@cache
def catalog() -> dict[str, Any]:
    """The stored catalog (see ``robustkit_torchattacks.generate``)."""
    return json.loads(resources.files(__package__).joinpath("catalog.json").read_text())


@cache
def entries() -> dict[str, dict[str, Any]]:
    return {a["name"]: a for a in catalog()["attacks"]}


BIG = 1e6
_TYPES: dict[str, Any] = {
    "bool": bool, "int": int, "float": float, "str": str,
    "int-tuple": tuple[Annotated[int, Field(ge=0, le=10**6)], ...],
}
UNITS = ("; in units of the data range (torchattacks sees inputs rescaled to [0, 1])")


def _field(p: dict[str, Any], cls: str) -> tuple[Any, Any]:
    default = tuple(p["default"]) if p["type"] == "int-tuple" else p["default"]
    desc = f"torchattacks {cls} argument `{p['name']}` (its default: {p['default']!r})"
    if p["name"] in ("eps", "alpha", "max_epsilon"):
        desc += UNITS
    bounds: dict[str, Any] = {}
    if p["type"] == "int":
        bounds = {"ge": 0, "le": 10**9}
    elif p["type"] == "float":
        bounds = {"ge": 0, "le": BIG}
    return _TYPES[p["type"]], Field(default, description=desc, **bounds)


@cache
def params_model(name: str) -> type[Params]:
    """The Params model of catalog entry ``name`` (e.g. ``ta-pgd``)."""
    entry = entries()[name]
    fields = {p["name"]: _field(p, entry["class"]) for p in entry["params"]}
    fields["targeted"] = (bool, Field(False, description=(
        "targeted attack towards (label + 1) mod classes (torchattacks' "
        "set_mode_targeted_by_label); off: untargeted")))
    model = create_model("TA" + entry["class"] + "Params", __base__=LazyParams, **fields)
    model.__doc__ = f"Params of torchattacks' {entry['class']}: {entry['summary']}"
    return model


def to_kwargs(entry: dict[str, Any], params: Params, *, num_classes: int | None,
              seed: int) -> dict[str, Any]:
    """What the torchattacks class receives: params, fixed args and facts of the run."""
    kwargs = dict(entry.get("fixed", {}))
    kwargs.update(params.model_dump(exclude={"targeted"}))
    if "n_classes" in entry["from_run"] and num_classes is not None:
        kwargs["n_classes"] = num_classes
    if "seed" in entry["from_run"]:
        kwargs["seed"] = seed % 2**31
    return kwargs
