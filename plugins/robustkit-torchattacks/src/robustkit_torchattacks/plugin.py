"""Registers every catalogued torchattacks attack as ``ta-<attack>`` without importing
torchattacks or torch. torchattacks is not a dependency of this distribution (it declares
torchvision): when it is missing, the plugin reports how to install it with ``--no-deps``."""

from __future__ import annotations

import importlib.util
from functools import partial
from typing import Any

from robustkit import Threat, hookimpl
from robustkit.errors import PluginError
from robustkit_torchattacks.params import entries, params_model

INSTALL_HINT = "pip install --no-deps torchattacks==3.5.1"
_FACTS = {
    "ta-fgsm": Threat(norm="linf", iterative=False),
    "ta-bim": Threat(norm="linf", iterative=True),
    "ta-pgd": Threat(norm="linf", iterative=True),
    "ta-mifgsm": Threat(norm="linf", iterative=True),
    "ta-pgdl2": Threat(norm="l2", iterative=True),
}


def build_attack(name: str, params: Any) -> Any:
    from robustkit_torchattacks.adapter import TorchAttack

    return TorchAttack(name, params)


def check_attack(name: str, params: Any, facts: Any) -> str | None:
    from robustkit_torchattacks.validation import check

    return check(name, params, facts)


def _summary(entry: dict[str, Any]) -> str:
    limits = {"images": " [images only]", "rgb-images": " [3-channel images only]"}
    note = f" [{entry['note']}]" if entry["note"] else ""
    text = f"torchattacks {entry['class']}: {entry['summary']}"[:180]
    return text + limits.get(entry["inputs"], "") + note


@hookimpl
def robustkit_register_perturbations(register):
    for name, entry in entries().items():
        model = params_model(name)
        register.perturbation(
            name,
            partial(build_attack, name),
            params=model,
            needs=entry["needs"],
            targets=["test-inputs"],
            tasks=["classification"],
            strength="eps" if "eps" in model.model_fields else None,
            threat=_FACTS.get(name, Threat()),
            check=partial(check_attack, name),
            all_installed=False,
            summary=_summary(entry),
        )
    if importlib.util.find_spec("torchattacks") is None:
        # registered, then withdrawn by the kernel: naming ta-pgd then says why
        raise PluginError(
            "torchattacks is not installed. Install it WITHOUT its dependencies (it declares "
            f"torchvision, which robustkit never installs): `{INSTALL_HINT}`"
        )
