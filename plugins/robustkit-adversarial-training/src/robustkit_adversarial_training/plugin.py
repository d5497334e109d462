"""Registers the adversarial-training defenses. Factories are lazy strings."""

from robustkit import hookimpl
from robustkit_adversarial_training.params import FastATParams, PGDATParams

_M = "robustkit_adversarial_training.training"


@hookimpl
def robustkit_register_defenses(register):
    register.training_defense(
        "pgd-at",
        f"{_M}:PGDAdversarialTraining",
        params=PGDATParams,
        tasks=["classification"],
        summary="train on adversarial examples of any gradient attack (Madry et al. 2018)",
    )
    register.training_defense(
        "fast-at",
        f"{_M}:FastAdversarialTraining",
        params=FastATParams,
        tasks=["classification"],
        summary="FGSM from a random start each batch (Wong, Rice & Kolter 2020)",
    )
