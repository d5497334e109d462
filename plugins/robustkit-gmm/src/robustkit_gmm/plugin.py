"""Registers the data set, model and defenses of the Gaussian-mixture family (lazy)."""

from robustkit import NoParams, hookimpl
from robustkit_gmm.params import (
    MixtureParams,
    ReconstructionParams,
    RegularizerParams,
    SparseRegressionParams,
)

_M = "robustkit_gmm"


@hookimpl
def robustkit_register_datasets(register):
    register.dataset(
        "sparse-regression",
        f"{_M}.data:SparseRegression",
        params=SparseRegressionParams,
        task="regression",
        modality="vector",
        summary="seeded sparse linear truth; Gaussian noise plus heavy-tailed outliers",
    )


@hookimpl
def robustkit_register_models(register):
    register.model(
        "gmm-linear",
        f"{_M}.pipeline_parts:LinearBuilder",
        params=NoParams,
        tasks=["regression"],
        modalities=["vector", "image", "sequence"],
        summary="one linear layer on flattened inputs (fitted by gmm-regression)",
    )


@hookimpl
def robustkit_register_defenses(register):
    register.training_defense(
        "gmm-regression",
        f"{_M}.pipeline_parts:MixtureRegressionDefense",
        params=MixtureParams,
        tasks=["regression"],
        summary="EM fit of a linear model under mixture noise, adaptive lasso (Guo 2023)",
    )
    register.training_defense(
        "gmm-regularizer",
        f"{_M}.regularizer:MixtureRegularizer",
        params=RegularizerParams,
        tasks=["classification", "regression"],
        summary="mixture prior + adaptive L1 on weights; mixture residual loss (Guo 2023)",
    )
    register.input_transform(
        "gmm-reconstruction",
        f"{_M}.reconstruction:RobustReconstruction",
        params=ReconstructionParams,
        tasks=["classification", "regression"],
        differentiable=True,
        summary="inputs regressed on clean principal components + lighting planes, "
        "mixture-modelled residuals; the clean part goes on (Guo 2023)",
    )
