"""Writes ``catalog.json``: the ART evasion attacks robustkit can run, with their params.

Run ``python -m robustkit_art.generate`` after upgrading ART; ``tests/test_catalog.py``
fails while the stored catalog differs from what the installed ART gives.

An attack is listed when ART's own ``_estimator_requirements`` are met by a
``PyTorchClassifier`` (gradient attacks) or a ``BlackBoxClassifier`` (query attacks), it is not
a framework-specific twin of a dispatching class (``...PyTorch``, ``...Numpy``,
``...TensorFlowV2``), and every ``__init__`` argument besides the model has a default.
"""

from __future__ import annotations

import inspect
import json
import math
import re
from importlib import metadata
from pathlib import Path
from typing import Any

CATALOG = Path(__file__).with_name("catalog.json")

# Short names for the attacks users know by their acronyms; the rest get their class name in
# kebab case (``art-zoo-attack``).
ALIASES = {
    "ProjectedGradientDescent": "pgd",
    "FastGradientMethod": "fgsm",
    "BasicIterativeMethod": "bim",
    "MomentumIterativeMethod": "mim",
    "AutoProjectedGradientDescent": "apgd",
    "AutoConjugateGradient": "acg",
    "RescalingAutoConjugateGradient": "racg",
    "CarliniL2Method": "cw-l2",
    "CarliniLInfMethod": "cw-linf",
    "CarliniL0Method": "cw-l0",
    "DeepFool": "deepfool",
    "ElasticNet": "ead",
    "HopSkipJump": "hsj",
    "SaliencyMapMethod": "jsma",
    "SquareAttack": "square",
    "ZooAttack": "zoo",
    "SimBA": "simba",
    "BoundaryAttack": "boundary",
    "GeoDA": "geoda",
    "SignOPTAttack": "sign-opt",
    "VirtualAdversarialMethod": "vat",
    "AutoAttack": "autoattack",
    "NewtonFool": "newtonfool",
    "PixelAttack": "pixel",
    "ThresholdAttack": "threshold",
}
# Arguments robustkit sets itself: progress bars off, no TensorBoard writer.
FIXED = {"verbose": False, "summary_writer": False}
# Attacks whose ART requirements a BlackBoxClassifier meets but whose default behaviour
# computes gradients (their default inner attacks are gradient attacks).
GRADIENTS_ANYWAY = {"AutoAttack", "UniversalPerturbation", "TargetedUniversalPerturbation"}
# ``None``-default arguments that take a number or a name; other ``None`` defaults stand for
# Python objects (masks, optimizers, inner attacks) and keep ART's default.
OPTIONAL_NUMBERS = {"decay", "th", "num_frames", "delta", "layer"}
OPTIONAL_TEXT = {"loss_type"}
_TWIN = re.compile(r"(PyTorch|Numpy|TensorFlowV2|TensorFlow)$")


def kebab(name: str) -> str:
    name = name.replace("PyTorch", "Pytorch").replace("TensorFlow", "Tensorflow")
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "-", name).lower()


def _param(p: inspect.Parameter) -> dict[str, Any] | None:
    """The catalog form of one argument, or None when it cannot be given from a config."""
    d = p.default
    if p.name == "norm" and (isinstance(d, (int, float)) and not isinstance(d, bool)):
        return {"name": p.name, "type": "norm", "default": "inf" if math.isinf(d) else str(d)}
    if isinstance(d, bool):
        return {"name": p.name, "type": "bool", "default": d}
    if isinstance(d, int):
        return {"name": p.name, "type": "int", "default": d}
    if isinstance(d, float):
        if not math.isfinite(d):
            return None
        return {"name": p.name, "type": "float", "default": d}
    if isinstance(d, str):
        return {"name": p.name, "type": "str", "default": d}
    if d is None and p.name in OPTIONAL_NUMBERS:
        return {"name": p.name, "type": "optional-number", "default": None}
    if d is None and p.name in OPTIONAL_TEXT:
        return {"name": p.name, "type": "optional-text", "default": None}
    if isinstance(d, tuple) and all(isinstance(v, (int, float)) and not isinstance(v, bool)
                                    for v in d):
        kind = "int-tuple" if all(isinstance(v, int) for v in d) else "float-tuple"
        return {"name": p.name, "type": kind, "default": list(d)}
    return None  # objects, callables, arrays: ART's default is kept


def _summary(cls: type) -> str:
    doc = inspect.getdoc(cls) or ""
    first = " ".join(doc.split("\n\n")[0].split())
    return first[:160]


def build() -> dict[str, Any]:
    """The catalog for the installed ART."""
    import art.attacks.evasion as evasion
    from art.attacks.attack import EvasionAttack
    from art.estimators.classification import BlackBoxClassifier, PyTorchClassifier
    from art.estimators.regression import PyTorchRegressor

    def meets(estimator: type, req: Any) -> bool:
        for r in req:
            group = r if isinstance(r, tuple) else (r,)
            if not any(issubclass(estimator, g) for g in group):
                return False
        return True

    names = {n for n in dir(evasion) if inspect.isclass(getattr(evasion, n))}
    attacks, skipped = [], {}
    for cname in sorted(names):
        cls = getattr(evasion, cname)
        if not issubclass(cls, EvasionAttack) or cls is EvasionAttack:
            continue
        req = cls._estimator_requirements
        if "TensorFlow" in cname:
            skipped[cname] = "TensorFlow only"
            continue
        twin = _TWIN.sub("", cname)
        if twin != cname and twin in names:
            skipped[cname] = f"framework twin of {twin}, which dispatches to it"
            continue
        if req is None or len(req) == 0:
            skipped[cname] = "declares no estimator requirements (not a classifier attack)"
            continue
        gradients = meets(PyTorchClassifier, req)
        scores = meets(BlackBoxClassifier, req) and cname not in GRADIENTS_ANYWAY
        if not (gradients or scores):
            skipped[cname] = "a PyTorchClassifier does not meet its estimator requirements"
            continue
        params, dropped = [], []
        required = []
        for p in list(inspect.signature(cls.__init__).parameters.values())[2:]:
            if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
                continue
            if p.default is inspect.Parameter.empty:
                required.append(p.name)
                continue
            if p.name in FIXED:
                continue
            entry = _param(p)
            if entry is None:
                dropped.append(p.name)
            else:
                if p.name == "targeted":
                    entry["default"] = False  # robustkit attacks are untargeted by default
                params.append(entry)
        if required:
            skipped[cname] = f"required arguments without defaults: {', '.join(required)}"
            continue
        alias = ALIASES.get(cname, kebab(cname))
        attacks.append({
            "name": f"art-{alias}",
            "class": cname,
            "needs": "scores" if scores else "gradients",
            "regression": meets(PyTorchRegressor, req),
            "requirements": [" or ".join(g.__name__ for g in (r if isinstance(r, tuple) else (r,)))
                             for r in req],
            "fixed": {k: v for k, v in FIXED.items()
                      if k in inspect.signature(cls.__init__).parameters},
            "params": params,
            "kept_defaults": dropped,
            "summary": _summary(cls),
        })
    return {"art_version": metadata.version("adversarial-robustness-toolbox"),
            "attacks": attacks, "skipped": skipped}


def main() -> None:
    CATALOG.write_text(json.dumps(build(), indent=1, sort_keys=True) + "\n")
    print(f"wrote {CATALOG}")


if __name__ == "__main__":
    main()
