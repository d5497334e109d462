"""Registers label-noise perturbations and noise-robust losses. Factories are lazy strings."""

from robustkit import hookimpl
from robustkit_label_noise.params import (
    AsymmetricParams,
    AWLParams,
    GCEParams,
    InstanceParams,
    SCEParams,
    SymmetricParams,
)

_M = "robustkit_label_noise"
_NOISE = dict(needs="nothing", targets=["train-labels"], strength="rate", tasks=["classification"])


@hookimpl
def robustkit_register_perturbations(register):
    register.perturbation(
        "symmetric-label-noise",
        f"{_M}.label_noise:SymmetricNoise",
        params=SymmetricParams,
        summary="a share eta of training labels moved to another class uniformly",
        **_NOISE,
    )
    register.perturbation(
        "asymmetric-label-noise",
        f"{_M}.label_noise:AsymmetricNoise",
        params=AsymmetricParams,
        summary="class-pair flips c -> c+shift of a share eta of training labels",
        **_NOISE,
    )
    register.perturbation(
        "instance-label-noise",
        f"{_M}.label_noise:InstanceNoise",
        params=InstanceParams,
        summary="instance-dependent flips driven by the input (Xia et al. 2020)",
        **_NOISE,
    )


@hookimpl
def robustkit_register_defenses(register):
    register.training_defense(
        "awl-loss",
        f"{_M}.defenses:AWL",
        params=AWLParams,
        tasks=["classification"],
        summary="adaptive per-sample weighted loss for noisy labels (Ren & Tao 2025)",
    )
    register.training_defense(
        "gce-loss",
        f"{_M}.defenses:GCE",
        params=GCEParams,
        tasks=["classification"],
        summary="generalized cross-entropy (Zhang & Sabuncu 2018)",
    )
    register.training_defense(
        "sce-loss",
        f"{_M}.defenses:SCE",
        params=SCEParams,
        tasks=["classification"],
        summary="symmetric cross-entropy (Wang et al. 2019)",
    )
