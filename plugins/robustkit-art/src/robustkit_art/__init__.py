"""Adversarial Robustness Toolbox (ART) evasion attacks as robustkit perturbations.

Every ART evasion attack that runs on a ``PyTorchClassifier`` is registered as
``art-<attack>`` from a static catalog (``catalog.json``, written by
``python -m robustkit_art.generate``), so listing plugins never imports ART or torch.
"""
