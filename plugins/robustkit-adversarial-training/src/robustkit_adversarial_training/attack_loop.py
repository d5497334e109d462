"""The attack that runs inside a training loop: resolved by name through the registry, built
with the defense's budget, and called on each batch with the model in eval mode.

Also used by other training defenses (robustkit-distillation's self-distillation), so it has
no knowledge of any particular attack plugin: it reads the attack's declared ``strength``
param and fills ``steps`` and ``mode`` only where the attack's Params define them.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from robustkit.components import Kind, Needs
from robustkit.data import DefenseContext, PerturbContext, derive_seed, make_generator
from robustkit.errors import ParamsError, PluginError, UnknownComponentError
from robustkit.registry import Registry


def registry_of(ctx: DefenseContext | None) -> Registry:
    """The registry a defense resolves component names in: the pipeline's (``ctx.registry``),
    or the process-wide one outside a pipeline. Public: distillation builds its teacher
    models through it."""
    if ctx is not None and getattr(ctx, "registry", None) is not None:
        return ctx.registry
    from robustkit import get_registry

    return get_registry()


def gradient_perturbations(registry: Registry) -> list[str]:
    return [s.name for s in registry.specs(Kind.PERTURBATION) if s.needs is Needs.GRADIENTS]


class TrainingAttack:
    """A gradient perturbation bound to a budget, ready to attack training batches.

    :param defense: the defense's name, for error messages.
    :param name: the perturbation's registered name.
    :param eps: the threat radius, given to the attack's ``strength`` param.
    :param steps: given to the attack's ``steps`` param when it has one (``None``: its default).
    :param overrides: further attack params, applied last.
    """

    def __init__(self, defense: str, name: str, eps: float, steps: int | None,
                 overrides: dict[str, Any], ctx: DefenseContext, salt: str = "adv-train"):
        registry = registry_of(ctx)
        installed = ", ".join(gradient_perturbations(registry)) or "(none installed)"
        try:
            spec = registry.get(Kind.PERTURBATION, name)
        except UnknownComponentError:
            raise ParamsError(
                f"defense '{defense}': attack '{name}' is not an installed perturbation. "
                f"Installed gradient perturbations: {installed}. Install one (e.g. "
                "robustkit-attacks) or name another in the defense's 'attack' param."
            ) from None
        if spec.needs is not Needs.GRADIENTS:
            raise ParamsError(
                f"defense '{defense}': attack '{name}' needs {spec.needs.value}, but adversarial "
                f"training needs a gradient perturbation. Installed gradient perturbations: "
                f"{installed}."
            )
        fields = spec.params.model_fields
        values: dict[str, Any] = {}
        if spec.strength:
            values[spec.strength] = eps
        if steps is not None and "steps" in fields:
            values["steps"] = steps
        # attacks that can stop early on misclassified samples (robustkit-attacks' mode =
        # "evaluate") must run every step in training, as Madry et al. do
        if "mode" in fields and "generate" in str(fields["mode"].annotation):
            values["mode"] = "generate"
        values.update(overrides)
        try:
            params = spec.validate_params(values)
        except ParamsError as exc:
            raise ParamsError(f"defense '{defense}': its attack_params for '{name}' are "
                              f"invalid:\n{exc}") from None
        self.spec = spec
        self.perturbation = spec.build(params)
        self.ctx = ctx
        self.defense = defense
        self.seed = derive_seed(ctx.seed, salt, name)
        self.generator = make_generator(ctx.seed, salt, name)

    def __call__(self, model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        """Adversarial versions of ``x``, detached.

        The attack sees the model in eval mode: BatchNorm uses its running statistics and
        dropout is off, so the examples attack the network that will be deployed, and the
        attack's forward passes do not move the BatchNorm statistics. The model's mode is
        restored afterwards, so the training step runs in train mode.
        """
        was_training = model.training
        model.eval()
        try:
            pctx = PerturbContext(info=self.ctx.info, seed=self.seed, generator=self.generator,
                                  model=model, device=self.ctx.device)
            x_adv = self.perturbation.perturb(x.detach(), y, pctx)
        finally:
            model.train(was_training)
        if not isinstance(x_adv, torch.Tensor) or x_adv.shape != x.shape:
            raise PluginError(f"defense '{self.defense}': attack '{self.spec.name}' returned "
                              f"{getattr(x_adv, 'shape', type(x_adv))}, expected {tuple(x.shape)}")
        return x_adv.detach()
