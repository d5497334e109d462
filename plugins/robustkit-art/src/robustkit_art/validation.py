"""The validation check of ``art-*`` attacks: ART itself says whether it can attack the model.

Before any data is loaded, the check builds the estimator the model will be wrapped in (on a
stand-in module: only its type matters) and asks ART's own ``is_estimator_valid``; a refusal
carries ART's ``EstimatorError`` text. It then constructs the attack with the validated params,
so ART's parameter checks (``_check_params``) also fail at validation, not mid-run.
"""

from __future__ import annotations

from importlib import metadata
from typing import Any

from robustkit_art.params import catalog, entries, to_art_kwargs

# stand-in input shapes by modality: some ART attacks only work on images (C, H, W)
_STAND_IN_SHAPES = {"image": (1, 8, 8), "vector": (4,), "sequence": (4, 2)}


def check(name: str, params: Any, facts: Any) -> str | None:
    import art.attacks.evasion as evasion
    from art.exceptions import EstimatorError
    from torch import nn

    from robustkit_art.estimators import gradient_estimator, score_estimator

    entry = entries()[name]
    cls = getattr(evasion, entry["class"], None)
    if cls is None:
        return (f"the installed ART {metadata.version('adversarial-robustness-toolbox')} has no "
                f"{entry['class']} (the catalog was made with ART {catalog()['art_version']}); "
                "run `python -m robustkit_art.generate` or install the matching ART")
    task = str(getattr(facts.task, "value", facts.task))
    modality = str(getattr(facts.modality, "value", facts.modality))
    shape = _STAND_IN_SHAPES.get(modality, (4,))
    if entry["needs"] == "gradients":
        stand_in = nn.Sequential(nn.Flatten(), nn.LazyLinear(2))
        estimator = gradient_estimator(stand_in, task, shape, (0.0, 1.0), 2)
    else:
        estimator = score_estimator(lambda x: x.flatten(1)[:, :2], task, shape, (0.0, 1.0), 2)
    if not cls.is_estimator_valid(estimator, cls._estimator_requirements):
        reason = EstimatorError(cls, cls._estimator_requirements, estimator)
        return f"ART refuses the {task} model: {reason}"
    try:
        cls(estimator, **to_art_kwargs(entry, params))
    except (ValueError, TypeError) as exc:  # ART's _check_params
        return f"ART refuses its parameters: {exc}"
    except ImportError as exc:  # an optional package of ART's that this attack needs
        return f"ART needs a package that is not installed: {exc}"
    except Exception as exc:  # ART cannot set the attack up for this kind of input
        return (f"ART cannot set it up for a {task} model on {modality} inputs: "
                f"{type(exc).__name__}: {exc}")
    return None
