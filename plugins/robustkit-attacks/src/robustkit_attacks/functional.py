"""Functional forms: ``pgd(model, x, y, eps=...) -> x_adv`` and friends.

These are the API other plugins build on (adversarial training calls them inside its training
loop; C&W compares against ``pgd(norm="l2")``). Arguments are validated by the same pydantic
models as the pipeline components, so a bad value is a :class:`robustkit.ParamsError`.

Conventions, as in torchattacks: ``y`` holds the true labels, or the *target* labels when
``targeted=True``; the model is put in eval mode for the attack and restored afterwards;
``early_stop=False`` (the default) runs every step on every sample, which is what examples
kept for training need; ``early_stop=True`` is the faster evaluation of robust accuracy.
``loss`` names the loss the attack ascends (``ce``, ``dlr``, ``margin``, ``ce-t`` with
``temperature``; see :mod:`robustkit_attacks.losses`).
"""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from robustkit_attacks.attacks import BIM, FGSM, MIM, PGD, GradientAttack
from robustkit_attacks.validate import check_bounds

Bounds = tuple[float, float]


def _run(attack: GradientAttack, model: nn.Module, x: torch.Tensor, y: torch.Tensor,
         bounds: Bounds, targeted: bool, generator: torch.Generator | None = None):
    targets = y if targeted else None
    return attack(model, x, y, bounds=check_bounds(bounds), targets=targets, generator=generator)


def _mode(early_stop: bool, loss: str = "ce", temperature: float = 1.0) -> dict[str, Any]:
    return {"mode": "evaluate" if early_stop else "generate", "loss": loss,
            "temperature": temperature}


def fgsm(model: nn.Module, x: torch.Tensor, y: torch.Tensor, *, eps: float,
         bounds: Bounds = (0.0, 1.0), targeted: bool = False, exact: bool = False,
         early_stop: bool = False, loss: str = "ce", temperature: float = 1.0
         ) -> torch.Tensor:
    """Fast gradient sign method (Goodfellow et al. 2015): ``x + eps * sign(grad)``, clipped.

    With ``early_stop`` a sample the model already misclassifies is returned unchanged.
    """
    attack = FGSM(eps=eps, exact=exact, **_mode(early_stop, loss, temperature))
    return _run(attack, model, x, y, bounds, targeted)


def bim(model: nn.Module, x: torch.Tensor, y: torch.Tensor, *, eps: float,
        alpha: float | None = None, steps: int = 10, bounds: Bounds = (0.0, 1.0),
        targeted: bool = False, exact: bool = False, early_stop: bool = False,
        loss: str = "ce", temperature: float = 1.0) -> torch.Tensor:
    """Basic iterative method (Kurakin et al. 2017): repeated sign steps clipped to the ball.

    :param alpha: step size; default ``1.25 * eps / steps``.
    """
    attack = BIM(eps=eps, alpha=alpha, steps=steps, exact=exact,
                 **_mode(early_stop, loss, temperature))
    return _run(attack, model, x, y, bounds, targeted)


def pgd(model: nn.Module, x: torch.Tensor, y: torch.Tensor, *, eps: float,
        alpha: float | None = None, steps: int = 10, norm: str = "linf",
        random_start: bool = True, restarts: int = 1, bounds: Bounds = (0.0, 1.0),
        targeted: bool = False, generator: torch.Generator | None = None, exact: bool = False,
        early_stop: bool = False, loss: str = "ce", temperature: float = 1.0) -> torch.Tensor:
    """Projected gradient descent (Madry et al. 2018) in the L-inf or L2 ball.

    :param alpha: step size; default ``2.5 * eps / steps``.
    :param norm: ``"linf"`` (sign steps) or ``"l2"`` (normalised gradient steps).
    :param random_start: start from a uniformly random point of the ball.
    :param restarts: random starts; each sample keeps its worst case (misclassified first,
        then highest loss).
    :param generator: a torch Generator for the random start (default: torch's global RNG).
    """
    attack = PGD(eps=eps, alpha=alpha, steps=steps, norm=norm, random_start=random_start,
                 restarts=restarts, exact=exact, **_mode(early_stop, loss, temperature))
    return _run(attack, model, x, y, bounds, targeted, generator)


def mim(model: nn.Module, x: torch.Tensor, y: torch.Tensor, *, eps: float,
        alpha: float | None = None, steps: int = 10, decay: float = 1.0,
        bounds: Bounds = (0.0, 1.0), targeted: bool = False, exact: bool = False,
        early_stop: bool = False, loss: str = "ce", temperature: float = 1.0) -> torch.Tensor:
    """Momentum iterative method (Dong et al. 2018): sign steps on an accumulated,
    L1-normalised gradient.

    :param alpha: step size; default ``eps / steps``. :param decay: momentum decay μ.
    """
    attack = MIM(eps=eps, alpha=alpha, steps=steps, decay=decay, exact=exact,
                 **_mode(early_stop, loss, temperature))
    return _run(attack, model, x, y, bounds, targeted)
