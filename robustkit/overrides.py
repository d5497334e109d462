"""Command-line overrides of a config, validated by the same pydantic model as the file.

``model_copy(update=...)`` would skip validation, so ``--seed -1`` ran and
``--seed 99999999999999999999`` overflowed deep inside numpy. Every override goes through here.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from robustkit import strict
from robustkit.config import format_validation_error
from robustkit.errors import ConfigError

M = TypeVar("M", bound=BaseModel)


def apply(config: M, changes: Mapping[str, Any], what: str) -> M:
    """A copy of ``config`` with ``changes`` (option values) validated like a config file's.

    :param what: the config's kind in the message (``pipeline``, ``sweep``).
    :raises ConfigError: naming each rejected option value and its allowed range.
    """
    if not changes:
        return config
    values = {**config.model_dump(mode="json"), **changes}
    try:
        return strict.validate(type(config), values)
    except ValidationError as exc:
        raise ConfigError(format_validation_error(exc, "the command-line options", what)
                          ) from None
