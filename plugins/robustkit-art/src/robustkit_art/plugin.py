"""Registers every catalogued ART attack as ``art-<attack>``, without importing ART or torch.

Factories and validation checks are ``functools.partial`` objects over small functions that
import the adapter only when a pipeline builds or validates an ART attack.
"""

from __future__ import annotations

import importlib.util
from functools import partial
from typing import Any

from robustkit import Threat, hookimpl
from robustkit.errors import PluginError
from robustkit_art.params import entries, params_model

INSTALL_HINT = "pip install adversarial-robustness-toolbox==1.20.1"
# threat facts for the integrity checks (docs/integrity.md), for the attacks robustkit
# also implements
_FACTS = {
    "art-fgsm": Threat(norm="linf", iterative=False),
    "art-bim": Threat(norm="linf", iterative=True),
    "art-pgd": Threat(norm="linf", iterative=True),
    "art-mim": Threat(norm="linf", iterative=True),
    "art-apgd": Threat(norm="linf", iterative=True),
}


def build_attack(name: str, params: Any) -> Any:
    """Factory of ``name``: the adapter object the pipeline calls ``perturb`` on."""
    from robustkit_art.adapter import ARTAttack

    return ARTAttack(name, params)


def check_attack(name: str, params: Any, facts: Any) -> str | None:
    """Validation check of ``name``: ART's own reason when the model cannot be attacked."""
    from robustkit_art.validation import check

    return check(name, params, facts)


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
            tasks=["classification", "regression"],
            strength="eps" if "eps" in model.model_fields else None,
            threat=_FACTS.get(name, Threat()),
            check=partial(check_attack, name),
            all_installed=False,
            summary=f"ART {entry['class']}: {entry['summary']}"[:200],
        )
    if importlib.util.find_spec("art") is None:
        # registered, then withdrawn by the kernel: naming art-pgd then says why
        raise PluginError(f"the Adversarial Robustness Toolbox is not installed; `{INSTALL_HINT}`")
