"""Write robustkit/first_party.json: kind -> component name -> first-party distribution.

Run with every first-party plugin installed (requirements.txt):
``python tools/first_party_index.py``.
tests/integration/test_first_party_index.py fails when the file is out of date.
"""

from __future__ import annotations

import json
from pathlib import Path

OUT = Path(__file__).resolve().parents[1] / "robustkit" / "first_party.json"


def build() -> dict[str, dict[str, str]]:
    from robustkit.components import Kind
    from robustkit.plugins import PluginHost

    host = PluginHost()
    out: dict[str, dict[str, str]] = {}
    for kind in Kind:
        for spec in host.registry.specs(kind):
            dist = spec.distribution
            if dist and dist.startswith("robustkit-"):
                out.setdefault(kind.value, {})[spec.name] = dist
    return {k: dict(sorted(v.items())) for k, v in sorted(out.items())}


def main() -> None:
    OUT.write_text(json.dumps(build(), indent=1) + "\n", encoding="utf-8")
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
