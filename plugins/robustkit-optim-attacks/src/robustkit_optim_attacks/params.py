"""Parameter models (torch-free, imported at registration).

Defaults are tuned for small images in [0, 1] (scikit-learn digits); every field says what it
controls so that ``robustkit describe cw-l2`` is enough to use an attack.
"""

from typing import Annotated, Literal

from pydantic import Field, model_validator

from robustkit import Params
from robustkit.targets import TARGET_HELP, TargetChoice


class CWL2Params(Params):
    """Carlini & Wagner (2017) L2 attack."""

    confidence: float = Field(0.0, ge=0, le=1000, description=(
        "kappa: the logit margin the adversarial class must win by"))
    initial_const: float = Field(0.1, gt=0, le=1e6, description=(
        "starting trade-off c between distortion and misclassification"))
    binary_search_steps: int = Field(9, ge=1, le=30, description=(
        "outer steps of the per-sample binary search over c"))
    max_iterations: int = Field(1000, ge=1, le=100000, description=(
        "Adam steps per binary-search step"))
    learning_rate: float = Field(0.01, gt=0, le=10, description="Adam step size in tanh space")
    target: TargetChoice = Field("untargeted", description=TARGET_HELP)
    abort_early: bool = Field(True, description=(
        "stop a binary-search step once no sample's loss improved by 0.01% in a tenth of "
        "max_iterations"))


class _BlackBox(Params):
    confidence: float = Field(0.0, ge=0, le=100, description=(
        "kappa: the log-probability margin the adversarial class must win by"))
    const: float = Field(10.0, gt=0, le=1e6, description=(
        "c in ||delta||^2 + c * f(x + delta): weight of the misclassification loss"))
    max_queries: int = Field(20000, ge=10, le=10_000_000, description=(
        "query budget per sample, counted over every score the attack requests"))
    refine_queries: int = Field(0, ge=0, le=10_000_000, description=(
        "after the first success, queries per sample spent lowering the distortion "
        "(0: stop at the first success, so queries measure time-to-success)"))
    learning_rate: float = Field(0.1, gt=0, le=100, description="step size of the optimiser")
    target: TargetChoice = Field("untargeted", description=TARGET_HELP + (
        "; least-likely costs one query per sample"))
    refine_learning_rate: float = Field(0.01, gt=0, le=100, description=(
        "step size after the first success; smaller, as the search now walks along the "
        "decision boundary"))
    binary_search_steps: int = Field(9, ge=1, le=30, description=(
        "stages of a per-sample binary search over c during refinement (refine_queries split "
        "equally): c falls after a stage that found an adversarial input, rises after one "
        "that did not; 1: c stays fixed. No effect with refine_queries = 0"))


class ZooParams(_BlackBox):
    """Chen et al. (2017) ZOO: coordinate-wise zeroth-order optimisation."""

    solver: Literal["adam", "newton"] = Field("adam", description=(
        "ZOO-ADAM (first-order estimate) or ZOO-Newton (first and second order estimates)"))
    coordinates: int = Field(16, ge=1, le=4096, description=(
        "coordinates estimated per iteration; each costs 2 queries"))
    step: float = Field(1e-3, gt=0, le=1, description="h of the symmetric finite difference")
    attack_size: int | None = Field(None, ge=1, le=4096, description=(
        "side of the square attack space (bilinearly resized to the image); None: full size"))
    hierarchy: tuple[Annotated[int, Field(ge=1, le=4096)], ...] = Field(
        (), max_length=8, description=(
        "hierarchical attack: larger attack-space sides to move to, one after another"))
    hierarchy_every: int = Field(2000, ge=1, le=10_000_000, description=(
        "queries per sample after which the attack space grows to the next hierarchy size"))
    importance_sampling: bool = Field(True, description=(
        "draw coordinates in proportion to the max-pooled size of the current perturbation"))

    @model_validator(mode="after")
    def _hierarchy_grows(self):
        sizes = [self.attack_size or 0, *self.hierarchy]
        if any(b <= a for a, b in zip(sizes, sizes[1:], strict=False)):
            raise ValueError(
                "hierarchy must list attack sizes that grow strictly, starting above "
                "attack_size (e.g. attack_size=4, hierarchy=[6, 8])")
        if self.hierarchy and self.attack_size is None:
            raise ValueError("hierarchy needs a starting attack_size")
        return self


class AutoZoomParams(_BlackBox):
    """Tu et al. (2019) AutoZOOM: random-vector gradient estimates in a reduced space."""

    learning_rate: float = Field(0.05, gt=0, le=100, description="step size of ADAM")
    smoothing: float = Field(0.005, gt=0, le=1, description=(
        "beta: length of each random direction in the finite difference"))
    directions: int = Field(1, ge=1, le=1024, description=(
        "q: random directions averaged per estimate until the first success"))
    directions_after_success: int = Field(4, ge=1, le=1024, description=(
        "q after the first success (adaptive averaging: cheap exploration, precise refinement)"))
    reduction: Literal["none", "resize", "autoencoder"] = Field("resize", description=(
        "attack space: the full image, a bilinearly resized square, or an autoencoder's "
        "latent code (its decoder maps a perturbation back to the image)"))
    attack_size: int = Field(4, ge=1, le=4096, description=(
        "side of the square attack space for reduction='resize'"))
    latent_channels: int = Field(2, ge=1, le=256, description=(
        "channels of the autoencoder's latent code (at half the image side)"))
    autoencoder_epochs: int = Field(200, ge=1, le=100000, description=(
        "full-batch steps training the autoencoder on the unlabelled inputs to attack"))
