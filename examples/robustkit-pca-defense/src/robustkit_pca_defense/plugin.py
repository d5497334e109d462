"""Registers pca-projection. The factory is a lazy string: listing plugins never imports torch
or scikit-learn."""

from robustkit import hookimpl

from robustkit_pca_defense.params import PCAProjectionParams


@hookimpl
def robustkit_register_defenses(register):
    register.input_transform(
        "pca-projection",
        "robustkit_pca_defense.projection:PCAProjection",
        params=PCAProjectionParams,
        tasks=["classification", "regression", "anomaly-detection"],
        # a linear projection and a clamp: gradients are exact, so white-box attacks
        # through the defense are meaningful (Bhagoji et al. evaluate them too)
        differentiable=True,
        summary="projects inputs onto the training data's leading principal components",
    )
