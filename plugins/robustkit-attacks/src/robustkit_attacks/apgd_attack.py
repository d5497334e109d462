"""APGD as a pipeline perturbation and an object of the Python API (``apgd``, ``apgd-ce``,
``apgd-dlr``, ``apgd-t``); the algorithm is in :mod:`robustkit_attacks.apgd`."""

from __future__ import annotations

import torch
from torch import nn

from robustkit.errors import ParamsError
from robustkit_attacks.apgd import APGDConfig, apgd
from robustkit_attacks.attacks import GradientAttack
from robustkit_attacks.engine import AttackResult
from robustkit_attacks.params import APGDCEParams, APGDDLRParams, APGDParams, APGDTParams


class APGD(GradientAttack):
    """Auto-PGD (Croce & Hein 2020), L-inf or L2, CE/DLR/margin/ce-t, untargeted, targeted
    (``target``) or AutoAttack's APGD-T (``n_target_classes``), restarts and EOT."""

    name = "apgd"
    params_model = APGDParams

    def __init__(self, params=None, /, **values):
        super().__init__(params, **values)
        p = self.params
        if p.target != "untargeted" and p.n_target_classes:
            raise ParamsError(f"{self.name}: set target = {p.target!r} (user targets) or "
                              f"n_target_classes = {p.n_target_classes} (AutoAttack's APGD-T), "
                              "not both")

    def apgd_config(self, bounds: tuple[float, float]) -> APGDConfig:
        p = self.params
        return APGDConfig(eps=p.eps, norm=p.norm, steps=p.steps, restarts=p.restarts,
                          loss=p.loss, temperature=p.temperature, rho=p.rho, eot=p.eot,
                          bounds=bounds, early_stop=p.mode == "evaluate")

    def run(self, model: nn.Module, x: torch.Tensor, y: torch.Tensor, *,
            bounds: tuple[float, float] = (0.0, 1.0), targets: torch.Tensor | None = None,
            generator: torch.Generator | None = None,
            num_classes: int | None = None) -> AttackResult:
        from robustkit.targets import choose_targets

        if targets is None:
            targets = choose_targets(model, x, y, self.params.target, generator, num_classes)
        res = apgd(model, x, y, self.apgd_config(bounds), targets=targets,
                   n_target_classes=self.params.n_target_classes, generator=generator)
        return AttackResult(res.x_adv, res.gradient_evaluations, res.fooled)


class APGDCE(APGD):
    name = "apgd-ce"
    params_model = APGDCEParams


class APGDDLR(APGD):
    name = "apgd-dlr"
    params_model = APGDDLRParams


class APGDT(APGD):
    name = "apgd-t"
    params_model = APGDTParams
