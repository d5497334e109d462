"""The attack that runs inside a training loop: the kernel's named-attack service
(:meth:`robustkit.DefenseContext.attack`) with this plugin's error wording and random stream.

Also used by robustkit-distillation's self-distillation; the logic (resolving the attack by name,
filling its budget, eval mode, its own seeded stream) lives in the kernel, not here.
"""

from __future__ import annotations

from typing import Any

from robustkit.data import DefenseContext
from robustkit.named_attack import NamedAttack, gradient_perturbations, registry_of

__all__ = ["TrainingAttack", "gradient_perturbations", "registry_of"]


class TrainingAttack(NamedAttack):
    """A gradient perturbation bound to a budget, ready to attack training batches.

    :param defense: the defense's name, for error messages.
    :param name: the perturbation's registered name.
    :param eps: the threat radius, given to the attack's declared ``strength`` param.
    :param steps: given to the attack's ``steps`` param when it has one (``None``: its default).
    :param overrides: further attack params, applied last.
    """

    def __init__(self, defense: str, name: str, eps: float, steps: int | None,
                 overrides: dict[str, Any], ctx: DefenseContext, salt: str = "adv-train"):
        super().__init__(ctx, name, eps, steps, overrides, owner=f"defense '{defense}'",
                         salt=salt, params_field="attack_params")
        self.defense = defense
