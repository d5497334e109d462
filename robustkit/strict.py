"""Strict validation of values that come from config files and the command line.

pydantic's default (lax) mode turns ``true`` into ``1`` and ``"0.1"`` into ``0.1``: a typo in a
config then runs with a number nobody wrote. Config values are JSON-like (TOML, JSON, YAML and
the CLI give nothing else), so they are validated in pydantic's strict JSON mode, which still
accepts an integer for a float field, a list for a tuple and a string for an enum or a path, but
never a bool for a number nor text for a number. NaN is refused with its own message: under a
bound pydantic would report "should be <= 1000000", which sends the user looking at the wrong
thing. Values that are not JSON-like (Python objects handed over from code) keep the lax mode.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from pydantic_core import InitErrorDetails, PydanticCustomError

M = TypeVar("M", bound=BaseModel)


def _nan_errors(values: Any, loc: tuple[str | int, ...] = ()) -> list[InitErrorDetails]:
    """Every NaN among ``values`` (nested in dicts and lists), as pydantic line errors."""
    found: list[InitErrorDetails] = []
    if isinstance(values, float) and math.isnan(values):
        found.append(InitErrorDetails(
            type=PydanticCustomError("not_a_number",
                                     "NaN (not a number) is not allowed; give a number"),
            loc=loc, input=values))
    elif isinstance(values, Mapping):
        for key, value in values.items():
            found += _nan_errors(value, (*loc, str(key)))
    elif isinstance(values, (list, tuple)):
        for i, value in enumerate(values):
            found += _nan_errors(value, (*loc, i))
    return found


def validate(model: type[M], values: Mapping[str, Any]) -> M:
    """``model`` validated from ``values``: strict for JSON-like values, lax otherwise.

    Raises pydantic's ValidationError (callers already turn it into their own message)."""
    nans = _nan_errors(dict(values))
    if nans:
        raise ValidationError.from_exception_data(model.__name__, nans)
    try:
        text = json.dumps(dict(values), allow_nan=True)
    except (TypeError, ValueError):  # objects from Python code: not config text
        return model.model_validate(dict(values))
    return model.model_validate_json(text, strict=True)
