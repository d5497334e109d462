"""Registers the adversarial-training defenses. Factories are lazy strings."""

from robustkit import hookimpl
from robustkit_adversarial_training.params import FastATParams, PGDATParams

_M = "robustkit_adversarial_training.training"


@hookimpl
def robustkit_register_defenses(register):
    register("pgd-at", f"{_M}:PGDAdversarialTraining", params=PGDATParams,
             tasks=["classification"], form="training",
             summary="train on adversarial examples of any gradient attack (Madry et al. 2018)")
    register("fast-at", f"{_M}:FastAdversarialTraining", params=FastATParams,
             tasks=["classification"], form="training",
             summary="FGSM from a random start each batch (Wong, Rice & Kolter 2020)")
