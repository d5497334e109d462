"""A kernel service: run a named attack with a budget from inside another component.

Training defenses (adversarial training, self-distillation with adversarial examples) attack
each batch with a gradient perturbation the user names in their params.
``NamedAttack(ctx, "pgd", eps=0.1, steps=7)``, given the defense's
:class:`robustkit.DefenseContext`, resolves it in the pipeline's registry, fills its strength
param with the budget (and ``steps`` where it has one), runs it every step (``mode =
"generate"`` where the attack can stop early) and calls it with the model in eval mode, on its
own seeded random stream. A plugin needs no route into another plugin to do this.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from robustkit.components import Kind, Needs
from robustkit.errors import ParamsError, PluginError, UnknownComponentError

if TYPE_CHECKING:
    import torch
    from torch import nn

    from robustkit.data import DefenseContext
    from robustkit.registry import Registry


def registry_of(ctx: DefenseContext | None) -> Registry:
    """The registry a component resolves names in: the pipeline's (``ctx.registry``), or the
    process-wide one outside a pipeline."""
    if ctx is not None and getattr(ctx, "registry", None) is not None:
        return ctx.registry
    from robustkit.plugins import get_registry

    return get_registry()


def gradient_perturbations(registry: Registry) -> list[str]:
    """Names of the installed perturbations that need the model's gradients."""
    return [s.name for s in registry.specs(Kind.PERTURBATION) if s.needs is Needs.GRADIENTS]


class NamedAttack:
    """A gradient perturbation bound to a budget, ready to attack batches: ``attack(model, x,
    y) -> x_adv`` (detached, same shape).

    :param owner: who asks (e.g. ``"defense 'pgd-at'"``), for error messages.
    :param name: the perturbation's registered name (``distribution:name`` works too).
    :param eps: the threat radius, given to the attack's declared ``strength`` param.
    :param steps: given to the attack's ``steps`` param when it has one (``None``: its default).
    :param params: further attack params, applied last.
    :param salt: names the attack's random stream (derived from ``ctx.seed``).
    :param params_field: what the owner calls ``params`` in its own config, for errors.
    """

    def __init__(self, ctx: DefenseContext, name: str, eps: float, steps: int | None = None,
                 params: dict[str, Any] | None = None, *, owner: str = "a component",
                 salt: str = "attack", params_field: str = "attack params"):
        from robustkit.data import derive_seed, make_generator

        registry = registry_of(ctx)
        installed = ", ".join(gradient_perturbations(registry)) or "(none installed)"
        try:
            spec = registry.get(Kind.PERTURBATION, name)
        except UnknownComponentError:
            raise ParamsError(
                f"{owner}: attack '{name}' is not an installed perturbation. Installed "
                f"gradient perturbations: {installed}. Install one (e.g. robustkit-attacks) "
                "or name another in the 'attack' param."
            ) from None
        if spec.needs is not Needs.GRADIENTS:
            raise ParamsError(
                f"{owner}: attack '{name}' needs {spec.needs.value}, but attacking training "
                f"batches needs a gradient perturbation. Installed gradient perturbations: "
                f"{installed}."
            )
        fields = spec.params.model_fields
        values: dict[str, Any] = {}
        if spec.strength:
            values[spec.strength] = eps
        if steps is not None and "steps" in fields:
            values["steps"] = steps
        # attacks that can stop early on misclassified samples (robustkit-attacks' mode =
        # "evaluate") must run every step here, as Madry et al. do
        if "mode" in fields and "generate" in str(fields["mode"].annotation):
            values["mode"] = "generate"
        values.update(params or {})
        try:
            validated = spec.validate_params(values)
        except ParamsError as exc:
            raise ParamsError(f"{owner}: its {params_field} for '{name}' are invalid:\n{exc}"
                              ) from None
        self.spec = spec
        self.perturbation = spec.build(validated)
        self.ctx = ctx
        self.owner = owner
        self.seed = derive_seed(ctx.seed, salt, name)
        self.generator = make_generator(ctx.seed, salt, name)

    def __call__(self, model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
        """Adversarial versions of ``x``, detached.

        The attack sees the model in eval mode: BatchNorm uses its running statistics and
        dropout is off, so the examples attack the network that will be deployed, and the
        attack's forward passes do not move the BatchNorm statistics. The model's mode is
        restored afterwards, so a training step runs in train mode.
        """
        import torch

        from robustkit.data import PerturbContext

        was_training = model.training
        model.eval()
        try:
            pctx = PerturbContext(info=self.ctx.info, seed=self.seed, generator=self.generator,
                                  model=model, device=self.ctx.device)
            x_adv = self.perturbation.perturb(x.detach(), y, pctx)
        finally:
            model.train(was_training)
        if not isinstance(x_adv, torch.Tensor) or x_adv.shape != x.shape:
            raise PluginError(f"{self.owner}: attack '{self.spec.name}' returned "
                              f"{getattr(x_adv, 'shape', type(x_adv))}, expected {tuple(x.shape)}")
        return x_adv.detach()
