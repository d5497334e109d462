"""Parameter models of the gradient attacks (torch-free: imported at registration).

ε and step sizes are absolute, in the units of the data (for images in [0, 1], ε = 8/255 is
the usual CIFAR-10 budget). The value bounds come from the data set's DataInfo in a pipeline
and from the ``bounds`` argument in the Python API.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from robustkit import Params
from robustkit.targets import TARGET_HELP, TargetChoice

Target = TargetChoice
Mode = Literal["evaluate", "generate"]
LossName = Literal["ce", "dlr", "margin", "ce-t"]
LOSS_HELP = (
    "what the attack ascends: ce (cross-entropy), dlr (difference of logits ratio, Croce & Hein "
    "2020: unaffected by a saturated softmax), margin (C&W logit margin), ce-t (cross-entropy "
    "of logits / temperature)")


class _AttackParams(Params):
    eps: float = Field(0.1, ge=0, le=1e6, description=(
        "radius of the threat ball (L-inf: max change per value; L2: norm of the change), "
        "in data units"))
    target: Target = Field("untargeted", description=TARGET_HELP)
    mode: Mode = Field("evaluate", description=(
        "evaluate: stop attacking a sample once it is misclassified, keeping that iterate "
        "(worst case over iterates, as AutoAttack; for robust accuracy, faster); generate: "
        "run every step on every sample (adversarial examples to keep, e.g. for training)"))
    exact: bool = Field(False, description=(
        "keep the default memory format and the reference arithmetic (bit-for-bit "
        "comparisons with torchattacks); off: channels-last for CNNs and fused steps"))
    loss: LossName = Field("ce", description=LOSS_HELP)
    temperature: float = Field(1.0, gt=0, le=1e6, description=(
        "temperature T of the ce-t loss (logits / T); ignored by the other losses"))


class FGSMParams(_AttackParams):
    """Fast gradient sign method (Goodfellow et al. 2015): one step of size ε."""


class _IterativeParams(_AttackParams):
    steps: int = Field(10, ge=1, le=100_000, description="number of gradient steps")
    alpha: float | None = Field(None, gt=0, le=1e6, description=(
        "step size in data units; default depends on the attack (see its description)"))


class BIMParams(_IterativeParams):
    """Basic iterative method (Kurakin et al. 2017); default step size ε / steps."""


class PGDParams(_IterativeParams):
    """Projected gradient descent (Madry et al. 2018); default step size 2.5 ε / steps."""

    norm: Literal["linf", "l2"] = Field("linf", description="threat model: L-inf or L2 ball")
    random_start: bool = Field(True, description=(
        "start from a uniformly random point of the ball instead of the clean input"))
    restarts: int = Field(1, ge=1, le=1000, description=(
        "independent random starts; each sample keeps its worst case (misclassified first, "
        "then highest loss)"))


class PGDL2Params(PGDParams):
    """PGD in the L2 ball; same as ``pgd`` with ``norm = "l2"``."""

    eps: float = Field(0.5, ge=0, le=1e6, description="L2 radius of the threat ball, data units")
    norm: Literal["l2"] = Field("l2", description="threat model (fixed: L2)")


class MIMParams(_IterativeParams):
    """Momentum iterative method (Dong et al. 2018); default step size ε / steps."""

    decay: float = Field(1.0, ge=0, le=100, description="momentum decay factor μ")
