"""Writes ``catalog.json``: the torchattacks attacks robustkit can run, with their params.

Run ``python -m robustkit_torchattacks.generate`` after upgrading torchattacks;
``tests/test_catalog.py`` fails while the stored catalog differs from the installed one.

torchattacks declares no requirements per attack, so what each needs is stated here:
score-based attacks (they only read the model's outputs) get the kernel's ScoreOracle, the rest
the module. Wrappers that take other attacks or a training loader, and the no-op ``VANILA``
and Gaussian-noise ``GN`` (robustkit-noise has that) are left out.
"""

from __future__ import annotations

import inspect
import json
import math
from importlib import metadata
from pathlib import Path
from typing import Any

CATALOG = Path(__file__).with_name("catalog.json")

SCORE_BASED = {"Square", "OnePixel", "Pixle", "SPSA"}
LEFT_OUT = {"VANILA": "returns its input unchanged",
            "GN": "Gaussian noise, not an attack (robustkit-noise: gaussian-noise)"}
# set by the adapter from the run: the number of classes from DataInfo, the seed from the run
FROM_RUN = {"n_classes", "seed"}
FIXED = {"verbose": False}
# What inputs the attacks' code assumes (measured on torchattacks 3.5.1 by running each on
# vector and 1-channel image batches; tests/test_inputs.py checks it): the rest take any shape.
IMAGES_ONLY = {"MIFGSM", "NIFGSM", "SINIFGSM", "VMIFGSM", "VNIFGSM", "UPGD", "PGDL2", "PGDRSL2",
               "OnePixel", "Pixle", "Square", "APGD", "APGDT", "AutoAttack", "DIFGSM",
               "Jitter"}
RGB_ONLY = {"TIFGSM", "PIFGSM", "PIFGSMPP"}  # fixed 3-channel kernels
NOTES = {"JSMA": "assumes 10 classes ((label + 1) mod 10 targets)"}
# integer defaults of arguments that are real numbers (CW's c and kappa, SparseFool's lambda,
# Jitter's scale): typed as floats so that c = 0.5 is accepted
REAL_WITH_INT_DEFAULT = {"c", "kappa", "lam", "scale"}


def _param(p: inspect.Parameter) -> dict[str, Any] | None:
    d = p.default
    if isinstance(d, bool):
        return {"name": p.name, "type": "bool", "default": d}
    if isinstance(d, int):
        kind = "float" if p.name in REAL_WITH_INT_DEFAULT else "int"
        return {"name": p.name, "type": kind, "default": float(d) if kind == "float" else d}
    if isinstance(d, float) and math.isfinite(d):
        return {"name": p.name, "type": "float", "default": d}
    if isinstance(d, str):
        return {"name": p.name, "type": "str", "default": d}
    if isinstance(d, tuple) and all(isinstance(v, int) and not isinstance(v, bool) for v in d):
        return {"name": p.name, "type": "int-tuple", "default": list(d)}
    return None


def _summary(cls: type) -> str:
    doc = inspect.getdoc(cls) or ""
    return " ".join(doc.split("\n\n")[0].split())[:160]


def build() -> dict[str, Any]:
    import torchattacks
    from torchattacks.attack import Attack

    attacks, skipped = [], {}
    for cname in sorted(dir(torchattacks)):
        cls = getattr(torchattacks, cname)
        if not (inspect.isclass(cls) and issubclass(cls, Attack)) or cls is Attack:
            continue
        if cname in LEFT_OUT:
            skipped[cname] = LEFT_OUT[cname]
            continue
        sig = list(inspect.signature(cls.__init__).parameters.values())[1:]
        if not sig or sig[0].name != "model":
            skipped[cname] = "wraps other attacks instead of taking a model"
            continue
        required = [p.name for p in sig[1:] if p.default is inspect.Parameter.empty
                    and p.kind not in (p.VAR_POSITIONAL, p.VAR_KEYWORD)]
        if required:
            skipped[cname] = f"required arguments without defaults: {', '.join(required)}"
            continue
        params, kept, from_run = [], [], []
        for p in sig[1:]:
            if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD) or p.name in FIXED:
                continue
            if p.name in FROM_RUN:
                from_run.append(p.name)
                continue
            entry = _param(p)
            (params.append(entry) if entry else kept.append(p.name))
        attacks.append({
            "name": f"ta-{cname.lower()}",
            "class": cname,
            "needs": "scores" if cname in SCORE_BASED else "gradients",
            "inputs": ("rgb-images" if cname in RGB_ONLY else
                       "images" if cname in IMAGES_ONLY else "any"),
            "note": NOTES.get(cname, ""),
            "fixed": {k: v for k, v in FIXED.items() if k in {p.name for p in sig}},
            "from_run": from_run,
            "params": params,
            "kept_defaults": kept,
            "summary": _summary(cls),
        })
    return {"torchattacks_version": metadata.version("torchattacks"), "attacks": attacks,
            "skipped": skipped}


def main() -> None:
    CATALOG.write_text(json.dumps(build(), indent=1, sort_keys=True) + "\n")
    print(f"wrote {CATALOG}")


if __name__ == "__main__":
    main()
