"""Adversarial training defenses for robustkit; the attack inside training is any installed
gradient perturbation, named in the config."""
