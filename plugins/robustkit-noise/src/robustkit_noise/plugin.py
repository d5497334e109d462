"""Registers the noise perturbations. Factories are lazy strings."""

from robustkit import hookimpl
from robustkit_noise.params import GaussianParams, SaltPepperParams, UniformParams

_COMMON = dict(
    needs="nothing",
    targets=["test-inputs", "train-inputs"],
    strength="severity",
    tasks=[
        "classification",
        "regression",
        "anomaly-detection",
        "image-to-image",
        "sequence-labelling",
        "detection",
    ],
)


@hookimpl
def robustkit_register_perturbations(register):
    register.perturbation(
        "gaussian-noise",
        "robustkit_noise.noise:GaussianNoise",
        params=GaussianParams,
        summary="additive Gaussian noise, clipped to the data bounds",
        **_COMMON,
    )
    register.perturbation(
        "uniform-noise",
        "robustkit_noise.noise:UniformNoise",
        params=UniformParams,
        summary="additive uniform noise, clipped to the data bounds",
        **_COMMON,
    )
    register.perturbation(
        "salt-and-pepper",
        "robustkit_noise.noise:SaltPepper",
        params=SaltPepperParams,
        summary="a share of values set to the lower or upper bound at random",
        **_COMMON,
    )
