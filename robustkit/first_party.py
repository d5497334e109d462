"""Which first-party distribution provides a component, for an error message that names it.

The kernel ships no method: `accuracy`, the default metric, comes with
``robustkit-classification-metrics``. When a config names a component that is not installed,
the error should say which distribution to install rather than only "no metric named ...". The
index is data (``first_party.json`` beside this module), written by
``python tools/first_party_index.py`` and checked against the installed plugins by a test.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources


@cache
def index() -> dict[str, dict[str, str]]:
    """``{kind: {component name: distribution}}`` for every first-party plugin."""
    text = resources.files("robustkit").joinpath("first_party.json").read_text("utf-8")
    return json.loads(text)


def provider(kind: str, name: str) -> str | None:
    """The first-party distribution that registers ``name`` as a ``kind``, if any."""
    return index().get(kind, {}).get(name)


def install_hint(kind: str, name: str) -> str:
    """`` It is provided by X: pip install X.`` or an empty string."""
    dist = provider(kind, name)
    if dist is None:
        return ""
    return (f" It is provided by the first-party distribution '{dist}', which is not "
            f"installed: pip install {dist} (from a checkout: pip install -e plugins/{dist}).")
