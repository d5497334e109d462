"""Turning keyword arguments into a validated params model with a clear error."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ValidationError

from robustkit.errors import ParamsError


def validated(model: type[BaseModel], what: str, **values: Any) -> Any:
    """``model(**values)``, a pydantic error becoming a ParamsError that names ``what``."""
    try:
        return model(**values)
    except ValidationError as exc:
        lines = [f"{what}: invalid arguments:"]
        for err in exc.errors():
            loc = ".".join(str(p) for p in err["loc"]) or "(arguments)"
            lines.append(f"  - {loc} = {err.get('input')!r}: {err['msg']}")
        lines.append(f"allowed: {', '.join(model.model_fields)}")
        raise ParamsError("\n".join(lines)) from None


def check_bounds(bounds: Any) -> tuple[float, float]:
    """A (lower, upper) pair of floats with lower < upper, or a ParamsError."""
    try:
        lo, hi = (float(b) for b in bounds)
    except (TypeError, ValueError):
        raise ParamsError(
            f"bounds must be a (lower, upper) pair of numbers, got {bounds!r}") from None
    if not lo < hi:
        raise ParamsError(f"bounds must satisfy lower < upper, got {bounds!r}")
    return lo, hi
