"""Attack objects: pipeline perturbations and the object form of the Python API.

``PGD(eps=0.03)(model, x, y) -> x_adv`` outside a pipeline; in a pipeline the kernel builds
``PGD(params)`` and calls ``perturb(x, y, ctx)``. Each class turns its params into one
:class:`~robustkit_attacks.engine.AttackConfig`; the loop itself is in ``engine.py``.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, ClassVar

import torch
from torch import nn

from robustkit.data import PerturbContext
from robustkit.errors import ParamsError, PluginError
from robustkit.targets import choose_targets
from robustkit_attacks.engine import AttackConfig, AttackResult, run_attack
from robustkit_attacks.params import (
    BIMParams,
    FGSMParams,
    MIMParams,
    PGDL2Params,
    PGDParams,
    _AttackParams,
)
from robustkit_attacks.validate import validated

# Default step sizes, as multiples of eps / steps, from each attack's paper.
BIM_ALPHA_RATIO = 1.25  # Kurakin et al. 2017: alpha = 1/255 for min(eps + 4, 1.25 eps) steps
PGD_ALPHA_RATIO = 2.5  # Madry et al. 2018: alpha * steps = 2.5 eps reaches any point
MIM_ALPHA_RATIO = 1.0  # Dong et al. 2018: alpha = eps / T


class GradientAttack:
    """Base of the attack objects.

    Build from keyword params (``PGD(eps=0.1, steps=20)``: validated, a bad value is a
    :class:`robustkit.ParamsError`) or from a params model (what the pipeline does). Outside
    a pipeline the default ``mode`` is ``"generate"`` (every step on every sample: examples
    to keep); pipelines default to ``"evaluate"`` (early stop per sample: robust accuracy).
    """

    name: ClassVar[str]
    params_model: ClassVar[type[_AttackParams]]

    def __init__(self, params: _AttackParams | None = None, /, **values: Any):
        if params is not None and values:
            raise TypeError("give either a params model or keyword params, not both")
        if params is None:
            values.setdefault("mode", "generate")
            params = validated(self.params_model, self.name, **values)
        if not isinstance(params, self.params_model):
            raise TypeError(f"{self.name} expects {self.params_model.__name__}, "
                            f"got {type(params).__name__}")
        self.params = params

    def config(self, bounds: tuple[float, float], targeted: bool) -> AttackConfig:
        raise NotImplementedError

    def run(self, model: nn.Module, x: torch.Tensor, y: torch.Tensor, *,
            bounds: tuple[float, float] = (0.0, 1.0), targets: torch.Tensor | None = None,
            generator: torch.Generator | None = None,
            num_classes: int | None = None) -> AttackResult:
        """Attack and return the examples with per-sample statistics.

        :param y: true labels. :param targets: target labels for a targeted attack
            (default: chosen by the ``target`` param; none when it is ``untargeted``).
        :param generator: randomness for random starts and random targets.
        """
        if targets is None:
            targets = choose_targets(model, x, y, self.params.target, generator, num_classes)
        cfg = replace(self.config(bounds, targeted=targets is not None),
                      loss=self.params.loss, temperature=self.params.temperature)
        if targets is None:
            return run_attack(model, x, y, cfg, generator)
        if cfg.loss == "dlr" and torch.equal(y.to(targets.device), targets):
            raise ParamsError(
                f"{self.name}: the targeted DLR loss needs the true labels as well as the "
                f"targets; call {type(self).__name__}(...).run(model, x, y_true, targets=...)")
        return run_attack(model, x, targets, cfg, generator, true=y)

    def __call__(self, model: nn.Module, x: torch.Tensor, y: torch.Tensor,
                 **options: Any) -> torch.Tensor:
        """``attack(model, x, y) -> x_adv``; options as for :meth:`run`."""
        return self.run(model, x, y, **options).x_adv

    def perturb(self, x: torch.Tensor, y: torch.Tensor, ctx: PerturbContext) -> torch.Tensor:
        """The pipeline entry: attack ``ctx.model`` within ``ctx.info.bounds``."""
        if not isinstance(ctx.model, nn.Module):
            raise PluginError(
                f"{self.name} is a gradient attack and needs the model module; got "
                f"{type(ctx.model).__name__}. Register it with needs='gradients'"
            )
        targets = choose_targets(ctx.model, x, y, self.params.target, ctx.generator,
                                 ctx.info.num_classes)
        if targets is not None:
            ctx.stats["target"] = targets.cpu()  # attack metrics count reaching it as success
        result = self.run(ctx.model, x, y, bounds=tuple(ctx.info.bounds), targets=targets,
                          generator=ctx.generator, num_classes=ctx.info.num_classes)
        # per-sample facts for metrics (Evaluation.extras); the kernel concatenates batches
        ctx.stats["gradient_evaluations"] = result.gradient_evaluations.cpu()
        if result.fooled is not None:
            ctx.stats["attack_succeeded"] = result.fooled.cpu()
        return result.x_adv

    def __repr__(self) -> str:
        fields = ", ".join(f"{k}={v!r}" for k, v in self.params.model_dump().items())
        return f"{type(self).__name__}({fields})"

    def _alpha(self, ratio: float) -> float:
        p = self.params
        return p.alpha if p.alpha is not None else ratio * p.eps / p.steps

    @property
    def _early_stop(self) -> bool:
        return self.params.mode == "evaluate"


class FGSM(GradientAttack):
    """Fast gradient sign method (Goodfellow et al. 2015): one sign step of size ε."""

    name = "fgsm"
    params_model = FGSMParams

    def config(self, bounds, targeted):
        p = self.params
        return AttackConfig(eps=p.eps, alpha=p.eps, steps=1, clip="bounds", targeted=targeted,
                            bounds=bounds, exact=p.exact, early_stop=self._early_stop)


class BIM(GradientAttack):
    """Basic iterative method (Kurakin et al. 2017); default step 1.25 ε / steps."""

    name = "bim"
    params_model = BIMParams

    def config(self, bounds, targeted):
        p = self.params
        return AttackConfig(eps=p.eps, alpha=self._alpha(BIM_ALPHA_RATIO), steps=p.steps,
                            clip="box", targeted=targeted, bounds=bounds, exact=p.exact,
                            early_stop=self._early_stop)


class PGD(GradientAttack):
    """Projected gradient descent (Madry et al. 2018), L-inf or L2; default step
    2.5 ε / steps, random start, restarts keeping each sample's worst case."""

    name = "pgd"
    params_model = PGDParams

    def config(self, bounds, targeted):
        p = self.params
        return AttackConfig(eps=p.eps, alpha=self._alpha(PGD_ALPHA_RATIO), steps=p.steps,
                            norm=p.norm, random_start=p.random_start, restarts=p.restarts,
                            clip="delta", targeted=targeted, bounds=bounds, exact=p.exact,
                            early_stop=self._early_stop)


class PGDL2(PGD):
    """PGD in the L2 ball (``pgd`` with ``norm="l2"``)."""

    name = "pgd-l2"
    params_model = PGDL2Params


class MIM(GradientAttack):
    """Momentum iterative method (Dong et al. 2018); default step ε / steps, decay 1."""

    name = "mim"
    params_model = MIMParams

    def config(self, bounds, targeted):
        p = self.params
        return AttackConfig(eps=p.eps, alpha=self._alpha(MIM_ALPHA_RATIO), steps=p.steps,
                            decay=p.decay, clip="delta", targeted=targeted, bounds=bounds,
                            exact=p.exact, early_stop=self._early_stop)
