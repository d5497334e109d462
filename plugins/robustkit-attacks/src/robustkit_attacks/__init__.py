"""Attacks for robustkit: FGSM, BIM, PGD (L-inf and L2), MIM, APGD, Square and AutoAttack.

Python API (imports torch on first use, so listing plugins stays torch-free)::

    from robustkit_attacks import pgd, PGD
    x_adv = pgd(model, x, y, eps=8 / 255, steps=10)          # functional
    x_adv = PGD(eps=8 / 255, steps=10)(model, x, y)          # object: attack(model, x, y)
"""

from __future__ import annotations

from typing import Any

_LAZY = {
    "fgsm": "functional", "bim": "functional", "pgd": "functional", "mim": "functional",
    "FGSM": "attacks", "BIM": "attacks", "PGD": "attacks", "PGDL2": "attacks", "MIM": "attacks",
    "GradientAttack": "attacks", "AttackConfig": "engine", "AttackResult": "engine",
    "run_attack": "engine", "NoGradientError": "errors", "APGD": "apgd_attack",
    "APGDConfig": "apgd", "apgd": "apgd", "get_loss": "losses", "LOSSES": "losses",
    "Square": "square_attack", "square_attack": "square", "AutoAttack": "autoattack",
    "reached": "losses",
}

__all__ = sorted(_LAZY)


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(f"robustkit_attacks.{_LAZY[name]}"), name)
    raise AttributeError(f"module 'robustkit_attacks' has no attribute {name!r}")
