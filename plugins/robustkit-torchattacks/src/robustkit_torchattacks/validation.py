"""The validation check of ``ta-*`` attacks: torchattacks builds the attack with the validated
params on a stand-in module, so its own argument checks (asserts, unsupported targeted mode)
refuse a config before any data is loaded."""

from __future__ import annotations

from importlib import metadata
from typing import Any

from robustkit_torchattacks.params import catalog, entries, to_kwargs


def check(name: str, params: Any, facts: Any) -> str | None:
    import torchattacks
    from torch import nn

    entry = entries()[name]
    cls = getattr(torchattacks, entry["class"], None)
    if cls is None:
        return (f"the installed torchattacks {metadata.version('torchattacks')} has no "
                f"{entry['class']} (catalog made with {catalog()['torchattacks_version']})")
    modality = str(getattr(facts.modality, "value", facts.modality))
    if entry["inputs"] != "any" and modality != "image":
        kind = "3-channel image" if entry["inputs"] == "rgb-images" else "image"
        return (f"torchattacks' {entry['class']} works on {kind} batches (N, C, H, W) only; "
                f"data set '{facts.dataset}' has {modality} inputs")
    try:
        attack = cls(nn.Linear(2, 2), **to_kwargs(entry, params, num_classes=2, seed=0))
        if params.targeted:
            attack.set_mode_targeted_by_label(quiet=True)
    except (AssertionError, ValueError, TypeError) as exc:
        return f"torchattacks refuses its parameters: {type(exc).__name__}: {exc}"
    return None
