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


class APGDParams(Params):
    """APGD (Croce & Hein 2020): step size from checkpoints, momentum 0.75, restarts."""

    eps: float = Field(0.1, ge=0, le=1e6, description=(
        "radius of the threat ball (L-inf: max change per value; L2: norm of the change), "
        "in data units"))
    norm: Literal["linf", "l2"] = Field("linf", description="threat model: L-inf or L2 ball")
    steps: int = Field(100, ge=1, le=100_000, description=(
        "iterations per restart (and per target class); the paper's budget is 100"))
    restarts: int = Field(1, ge=1, le=1000, description=(
        "random starts; only samples not yet broken get another"))
    loss: LossName = Field("ce", description=LOSS_HELP + " (the paper uses ce and dlr)")
    temperature: float = Field(1.0, gt=0, le=1e6, description="temperature of the ce-t loss")
    target: Target = Field("untargeted", description=(
        TARGET_HELP + "; success is then being classified as the target"))
    n_target_classes: int = Field(0, ge=0, le=1000, description=(
        "AutoAttack's APGD-T: one targeted run towards each of the k classes the clean input "
        "scores highest after its top class (success: misclassification); 0: off"))
    rho: float = Field(0.75, gt=0, lt=1, description=(
        "halve the step at a checkpoint when the loss rose in fewer than this share of steps"))
    eot: int = Field(1, ge=1, le=1000, description=(
        "gradients averaged over this many forward passes (expectation over transformation, "
        "Athalye et al. 2018) for randomised models"))
    mode: Mode = Field("evaluate", description=(
        "evaluate: a sample leaves the attack at its first misclassified iterate; generate: "
        "every iteration on every sample"))


class APGDCEParams(APGDParams):
    """APGD on the cross-entropy (AutoAttack's first attack)."""


class APGDDLRParams(APGDParams):
    """APGD on the DLR loss, robust to logit scaling (Croce & Hein 2020)."""

    loss: LossName = Field("dlr", description=LOSS_HELP)


class APGDTParams(APGDParams):
    """AutoAttack's APGD-T: targeted DLR towards the 9 most likely other classes."""

    loss: LossName = Field("dlr", description=LOSS_HELP)
    n_target_classes: int = Field(9, ge=1, le=1000, description=(
        "one targeted run towards each of the k classes the clean input scores highest after "
        "its top class (capped at classes - 1)"))


class SquareParams(Params):
    """Square attack (Andriushchenko et al. 2020): random search with square windows."""

    eps: float = Field(0.1, ge=0, le=1e6, description=(
        "radius of the threat ball (L-inf: max change per value; L2: norm of the change), "
        "in data units"))
    norm: Literal["linf", "l2"] = Field("linf", description="threat model: L-inf or L2 ball")
    max_queries: int = Field(5000, ge=1, le=10_000_000, description=(
        "random-search iterations per sample (one query each, plus the clean check); "
        "AutoAttack's budget is 5000"))
    p_init: float = Field(0.8, gt=0, le=1, description=(
        "initial share of the image a square covers; halved on the paper's schedule"))
    loss: Literal["margin", "ce"] = Field("margin", description=(
        "untargeted loss: margin (logit margin, the paper's) or ce; targeted runs use CE "
        "towards the target"))
    target: Target = Field("untargeted", description=TARGET_HELP)


class AutoAttackParams(Params):
    """AutoAttack (Croce & Hein 2020): APGD-CE, APGD-T, Square in sequence (standard), or
    APGD-CE and APGD-DLR with EOT (rand); smaller budgets allowed for quick runs."""

    eps: float = Field(0.1, ge=0, le=1e6, description=(
        "radius of the threat ball (L-inf: max change per value; L2: norm of the change), "
        "in data units"))
    norm: Literal["linf", "l2"] = Field("linf", description="threat model: L-inf or L2 ball")
    version: Literal["standard", "rand"] = Field("standard", description=(
        "standard: APGD-CE, APGD-T, Square; rand: APGD-CE and APGD-DLR with EOT, for "
        "randomised defenses"))
    steps: int = Field(100, ge=1, le=100_000, description="APGD iterations (reference: 100)")
    restarts: int = Field(1, ge=1, le=1000, description="APGD restarts (reference: 1)")
    n_target_classes: int = Field(9, ge=1, le=1000, description=(
        "APGD-T target classes (reference: 9; capped at classes - 1)"))
    square_queries: int = Field(5000, ge=1, le=10_000_000, description=(
        "Square attack queries per sample (reference: 5000)"))
    p_init: float = Field(0.8, gt=0, le=1, description="Square's initial window share")
    rho: float = Field(0.75, gt=0, lt=1, description="APGD's checkpoint threshold")
    eot: int = Field(20, ge=1, le=1000, description=(
        "rand version: forward passes each APGD gradient is averaged over (reference: 20)"))
