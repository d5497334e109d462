"""Contracts on a component's Params model. Torch-free: they read the pydantic JSON schema.

Every check raises :class:`robustkit.testing.ContractFailure` with a message that names the
component, the field and what to change.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from typing import Any

from pydantic import BaseModel, ValidationError

from robustkit.errors import ParamsError
from robustkit.registry import ComponentSpec
from robustkit.testing.failure import fail

_LOWER = ("minimum", "exclusiveMinimum")
_UPPER = ("maximum", "exclusiveMaximum")
_NUMERIC = ("integer", "number")


def _numeric_parts(prop: Mapping[str, Any], path: str) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """Yield (path, schema) for every numeric schema a property accepts: the value itself,
    a branch of ``X | None``, or the items of a list/tuple."""
    if prop.get("type") in _NUMERIC:
        yield path, prop
    for branch in prop.get("anyOf", []):
        yield from _numeric_parts(branch, path)
    items = prop.get("items")
    if isinstance(items, Mapping):
        yield from _numeric_parts(items, f"{path}[item]")
    for item in prop.get("prefixItems", []):
        yield from _numeric_parts(item, f"{path}[item]")


def _accepts_text(prop: Mapping[str, Any]) -> bool:
    """The property (or a branch of it) is a string: a name, as in ``str | int`` columns."""
    return prop.get("type") == "string" or any(_accepts_text(b) for b in prop.get("anyOf", []))


def _properties(params: type[BaseModel]) -> dict[str, Mapping[str, Any]]:
    return params.model_json_schema().get("properties", {})


def check_forbids_unknown(spec: ComponentSpec) -> None:
    """An unknown key must be an error, so that a misspelt parameter is never ignored."""
    if spec.params.model_config.get("extra") != "forbid":
        fail(spec, "params-validate",
             f"{spec.params.__name__} accepts unknown keys, so a misspelt parameter is "
             "silently ignored",
             f"subclass robustkit.Params (which sets extra='forbid') instead of "
             f"{spec.params.__bases__[0].__name__}")


def default_params(spec: ComponentSpec, given: Mapping[str, Any] | None) -> BaseModel:
    """The params the other contracts build the component with: the defaults plus ``given``."""
    try:
        return spec.validate_params(given or {})
    except ParamsError as exc:
        missing = [n for n, f in spec.params.model_fields.items()
                   if f.is_required() and n not in (given or {})]
        fix = (f"give {', '.join(missing)} a default, or pass params={{...}} to "
               "contract_tests()" if missing else "make the defaults valid")
        fail(spec, "params-validate", f"the default parameters do not validate: {exc}", fix)
    raise AssertionError("unreachable")


def check_descriptions(spec: ComponentSpec) -> None:
    """Every field has a description, which ``robustkit describe`` shows."""
    bare = [n for n, f in spec.params.model_fields.items() if not f.description]
    if bare:
        fail(spec, "params-validate",
             f"field(s) {', '.join(bare)} of {spec.params.__name__} have no description",
             "declare each as Field(default, description='what it does, in which unit')")


def check_bounds(spec: ComponentSpec) -> None:
    """Every numeric field (and numeric list item) declares at least one bound."""
    unbounded = []
    for name, prop in _properties(spec.params).items():
        for path, part in _numeric_parts(prop, name):
            if not any(k in part for k in _LOWER + _UPPER):
                unbounded.append(path)
    if unbounded:
        fields = ", ".join(dict.fromkeys(unbounded))
        fail(spec, "params-bounds",
             f"numeric field(s) {fields} of {spec.params.__name__} declare no bounds, so a "
             "config can pass any value (negative sizes, eps=1e9) and fail deep inside torch",
             "declare the valid range, e.g. Field(0.1, ge=0, le=1, description=...); for list "
             "items use list[Annotated[int, Field(ge=1)]]")


def _outside(part: Mapping[str, Any]) -> list[float]:
    """Values just outside the bounds of one numeric schema."""
    out: list[float] = []
    if "minimum" in part:
        out.append(part["minimum"] - 1)
    if "exclusiveMinimum" in part:
        out.append(part["exclusiveMinimum"])
    if "maximum" in part:
        out.append(part["maximum"] + 1)
    if "exclusiveMaximum" in part:
        out.append(part["exclusiveMaximum"])
    return [v for v in out if math.isfinite(v)]


def check_rejects_bad_values(spec: ComponentSpec, base: Mapping[str, Any] | None) -> None:
    """Out-of-bounds values, wrong types and unknown keys raise ParamsError naming the field."""
    base = dict(base or {})
    probes: list[tuple[str, Any]] = [("__not_a_param__", 1)]
    for name, prop in _properties(spec.params).items():
        parts = list(_numeric_parts(prop, name))
        top_level = [p for path, p in parts if path == name]
        if top_level and not _accepts_text(prop):
            probes.append((name, "not-a-number"))
        for path, part in parts:
            for value in _outside(part):
                probes.append((name, [value] if path != name else value))
    for name, value in probes:
        try:
            spec.validate_params({**base, name: value})
        except ParamsError as exc:
            if name != "__not_a_param__" and name not in str(exc):
                fail(spec, "params-reject",
                     f"the error for {name}={value!r} does not name the field: {exc}",
                     "let pydantic validate the field (Field bounds) rather than a model-wide "
                     "validator that hides which field is wrong")
            continue
        except (ValidationError, ValueError, TypeError) as exc:
            fail(spec, "params-reject",
                 f"{name}={value!r} raised {type(exc).__name__} instead of ParamsError",
                 "subclass robustkit.Params and validate with Field constraints")
        fail(spec, "params-reject", f"{name}={value!r} was accepted",
             "tighten the Field bounds so values outside the valid range are refused"
             if name != "__not_a_param__" else "subclass robustkit.Params (extra='forbid')")
