"""Parameter models (torch-free, imported at registration)."""

from __future__ import annotations

from typing import Any

from pydantic import Field

from robustkit import Params


class AttackInTraining(Params):
    """How the adversarial examples of each training batch are made."""

    attack: str = Field("pgd", min_length=1, description=(
        "name of an installed gradient perturbation (needs='gradients') used on every batch"))
    eps: float = Field(0.1, gt=0, le=1e6, description=(
        "threat radius, in data units; passed to the attack's strength param"))
    steps: int | None = Field(10, ge=1, le=10_000, description=(
        "attack steps, passed to the attack when it has a 'steps' param; None: its default"))
    attack_params: dict[str, Any] = Field(default_factory=dict, description=(
        "further params of the attack; they override eps/steps and the defaults set here"))
    clean_weight: float = Field(0.0, ge=0, le=1, description=(
        "weight of the clean-input loss: (1-w) CE(adv) + w CE(clean); 0 is Madry's objective"))
    epochs: int | None = Field(None, ge=1, le=10_000, description=(
        "training epochs; None: the pipeline's training.epochs"))


class PGDATParams(AttackInTraining):
    """PGD adversarial training (Madry et al. 2018)."""


class FastATParams(AttackInTraining):
    """Fast adversarial training: FGSM from a random start (Wong, Rice & Kolter 2020)."""

    attack: str = Field("fgsm", min_length=1, description=(
        "name of an installed gradient perturbation used for the step from the random start"))
    steps: int | None = Field(None, ge=1, le=10_000, description=(
        "attack steps when the attack has a 'steps' param; None: its default"))
    alpha_ratio: float = Field(1.25, gt=0, le=10, description=(
        "step size as a multiple of eps (Wong et al. use 1.25); the result is projected back "
        "into the eps ball"))
