"""Parameter models (torch-free, imported at registration)."""

from typing import Literal

from pydantic import Field

from robustkit import Params


class SparseRegressionParams(Params):
    n_train: int = Field(200, ge=10, le=1_000_000, description="training samples")
    n_test: int = Field(1000, ge=10, le=1_000_000, description="test samples")
    n_features: int = Field(50, ge=1, le=100_000, description="input dimensions")
    n_informative: int = Field(5, ge=1, le=100_000, description="non-zero true coefficients")
    noise: float = Field(0.5, ge=0, le=100, description="std of the Gaussian noise")
    outlier_fraction: float = Field(0.2, ge=0, le=0.9, description=(
        "share of training targets that get heavy-tailed noise instead"))
    outlier_scale: float = Field(5.0, ge=0, le=1e4, description=(
        "scale of the heavy-tailed (Student-t, 1.5 degrees of freedom) outlier noise"))


class MixtureParams(Params):
    components: int = Field(2, ge=1, le=10, description="Gaussians in the noise mixture")
    max_iter: int = Field(50, ge=1, le=10_000, description="EM iterations at most")
    tol: float = Field(1e-5, gt=0, le=1, description="stop when coefficients move less")
    alphas: int = Field(12, ge=1, le=200, description=(
        "penalty strengths tried on a log grid; the one with the lowest BIC is kept"))
    gamma: float = Field(1.0, ge=0, le=4, description=(
        "adaptive-lasso exponent: the penalty on w_j is scaled by 1 / |w_init_j| ** gamma"))


class RegularizerParams(Params):
    components: int = Field(3, ge=1, le=10, description=(
        "Gaussians in the mixture prior over the weights (soft weight-sharing)"))
    strength: float = Field(0.1, ge=0, le=10, description=(
        "weight of the mixture prior's negative log-likelihood, averaged over the weights"))
    sparsity: float = Field(0.01, ge=0, le=10, description=(
        "weight of the adaptive (reweighted) L1 penalty, averaged over the weights"))
    residual_mixture: bool = Field(True, description=(
        "regression only: replace the squared error by the negative log-likelihood of a "
        "Gaussian mixture fitted to the residuals by EM"))
    refit_every: int = Field(1, ge=1, le=1000, description="epochs between EM refits")


class ReconstructionParams(Params):
    components: int = Field(30, ge=1, le=100_000, description=(
        "leading principal components of the clean training inputs that span the content"))
    lighting: Literal["none", "additive", "full"] = Field("full", description=(
        "nuisance model: none, additive light planes, or additive planes plus a smooth "
        "multiplicative gain (shade); planes are per channel for images"))
    noise: Literal["mixture", "gaussian"] = Field("mixture", description=(
        "residual model: a zero-mean Gaussian mixture refitted by EM per input, or one "
        "Gaussian (plain least squares)"))
    mixture_components: int = Field(2, ge=1, le=10, description="Gaussians in the mixture")
    iterations: int = Field(4, ge=1, le=100, description=(
        "alternations of content, lighting and noise-model fits"))
    em_iterations: int = Field(3, ge=1, le=1000, description=(
        "EM steps per alternation (warm-started from the last, so a few suffice)"))
