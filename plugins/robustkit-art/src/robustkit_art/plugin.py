"""Registers every catalogued ART attack as ``art-<attack>``, without importing ART or torch.

Factories and validation checks are ``functools.partial`` objects over small functions that
import the adapter only when a pipeline builds or validates an ART attack.
"""

from __future__ import annotations

import importlib.util
from functools import partial
from typing import Any

from pydantic import Field

from robustkit import Params, Threat, hookimpl
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


class FeatureSqueezingParams(Params):
    """ART FeatureSqueezing: bit-depth reduction (Xu et al. 2018)."""

    bit_depth: int = Field(8, ge=1, le=64, description="bits kept per input value")


class SpatialSmoothingParams(Params):
    """ART SpatialSmoothing: a median filter (Xu et al. 2018)."""

    window_size: int = Field(3, ge=2, le=64, description="side of the median filter window")


@hookimpl
def robustkit_register_defenses(register):
    register.input_transform(
        "art-feature-squeezing", "robustkit_art.defenses:FeatureSqueezing",
        params=FeatureSqueezingParams, tasks=["classification"], differentiable=False,
        summary="ART FeatureSqueezing: inputs rounded to bit_depth bits (Xu et al. 2018)")
    register.input_transform(
        "art-spatial-smoothing", "robustkit_art.defenses:SpatialSmoothing",
        params=SpatialSmoothingParams, tasks=["classification"], differentiable=False,
        summary="ART SpatialSmoothing: a median filter over each channel (Xu et al. 2018)")
