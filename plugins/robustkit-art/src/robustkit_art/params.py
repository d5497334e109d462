"""Params models built from the catalog (no ART, no torch): one pydantic model per attack.

Types come from ART's defaults: a float default makes a float param, a tuple of ints a tuple
param, ``None`` a param that takes a number, a string or nothing. ``norm`` takes ``"inf"``,
``"1"`` or ``"2"`` (TOML has no infinity; numbers are accepted too). Numbers get a sanity
range (non-negative unless ART's default is negative, at most 1e6); ART's own argument checks
run at validation. Arguments that only take
Python objects (callables, arrays, estimators) keep ART's default and are not exposed.
"""

from __future__ import annotations

import json
import math
from functools import cache
from importlib import resources
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, create_model

from robustkit import LazyParams, Params


@cache
def catalog() -> dict[str, Any]:
    """The stored catalog (see ``robustkit_art.generate``)."""
    return json.loads(resources.files(__package__).joinpath("catalog.json").read_text())


@cache
def entries() -> dict[str, dict[str, Any]]:
    return {a["name"]: a for a in catalog()["attacks"]}


def _norm_text(value: Any) -> Any:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return "inf" if math.isinf(value) else str(int(value))
    return value


Norm = Annotated[Literal["inf", "1", "2"], BeforeValidator(_norm_text)]
# ART checks its own arguments (run at validation by robustkit_art.validation); these sanity
# ranges only keep absurd values (negative counts, 1e300) out of configs.
BIG = 1e6
_Item = Annotated[float, Field(ge=-BIG, le=BIG)]
_IntItem = Annotated[int, Field(ge=-10**6, le=10**6)]
_TYPES: dict[str, Any] = {
    "bool": bool, "int": int, "float": float, "str": str, "norm": Norm,
    "optional-number": float | None, "optional-text": str | None,
    "int-tuple": tuple[_IntItem, ...], "float-tuple": tuple[_Item, ...],
}


def _bounds(p: dict[str, Any]) -> dict[str, Any]:
    kind, default, name = p["type"], p["default"], p["name"]
    if kind not in ("int", "float", "optional-number"):
        return {}
    if name == "batch_size":
        return {"ge": 1, "le": 10**6}
    if name == "layer" or (default is not None and default < 0):
        return {"ge": -BIG, "le": BIG}
    return {"ge": 0, "le": 10**9 if kind == "int" else BIG}


def _field(p: dict[str, Any], cls: str) -> tuple[Any, Any]:
    default = p["default"]
    if p["type"].endswith("tuple"):
        default = tuple(default)
    desc = f"ART {cls} argument `{p['name']}` (ART's default: {p['default']!r})"
    if p["name"] == "targeted":
        desc = ("targeted attack towards (label + 1) mod classes; off: untargeted "
                "(robustkit's default, whatever ART's is)")
    return _TYPES[p["type"]], Field(default, description=desc, **_bounds(p))


@cache
def params_model(name: str) -> type[Params]:
    """The Params model of catalog entry ``name`` (e.g. ``art-pgd``)."""
    entry = entries()[name]
    fields = {p["name"]: _field(p, entry["class"]) for p in entry["params"]}
    model_name = "ART" + entry["class"] + "Params"
    model = create_model(model_name, __base__=LazyParams, **fields)
    model.__doc__ = f"Params of ART's {entry['class']}: {entry['summary']}"
    return model


def to_art_kwargs(entry: dict[str, Any], params: Params) -> dict[str, Any]:
    """What ART's ``__init__`` receives: the params, norms as ART wants them, fixed args."""
    kwargs = dict(entry.get("fixed", {}))
    types = {p["name"]: p["type"] for p in entry["params"]}
    for key, value in params.model_dump().items():
        if types.get(key) == "norm":
            value = math.inf if value == "inf" else int(value)
        kwargs[key] = value
    return kwargs
