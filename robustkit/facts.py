"""What the report needs to know about a perturbation setting, captured when its numbers are
written, so that a report reads only the store: uninstalling or upgrading a plugin never
changes an old report.

The facts come from the perturbation's registered spec (its ``needs``, its strength param and
its threat description: norm, iterative, unbounded) and from the setting's own params (a
``norm`` param overrides the spec's default norm).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

# threat models, from the weakest access to the model to the strongest
THREATS = ("clean", "noise", "black-box", "white-box", "unknown")


@dataclass(frozen=True)
class PerturbationFacts:
    """The facts of one perturbation setting that the report and the row checks read.

    :param threat: ``clean``, ``noise`` (needs nothing of the model), ``black-box`` (scores)
        or ``white-box`` (gradients); ``unknown`` for rows of an old store whose plugin was not
        installed when the store was upgraded.
    :param needs: what the perturbation needs of the model (``nothing``, ``scores``,
        ``gradients``).
    :param norm: ``linf`` or ``l2`` for norm-bounded attacks, else None.
    :param iterative: True for multi-step attacks, False for one-step ones, None if not said.
    :param unbounded: True for attacks with no budget (C&W, DeepFool): they should reach ~0 %.
    :param strength_param: the name of the param that is the strength (``eps``, ``severity``).
    """

    threat: str = "noise"
    needs: str = "nothing"
    norm: str | None = None
    iterative: bool | None = None
    unbounded: bool = False
    strength_param: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @property
    def is_eps(self) -> bool:
        """Whether the strength is an ε of a norm ball (comparable across attacks)."""
        return self.strength_param in ("eps", "epsilon") and self.norm is not None


CLEAN = PerturbationFacts(threat="clean")
UNKNOWN = PerturbationFacts(threat="unknown", needs="unknown")


def threat_of(needs: str) -> str:
    return {"gradients": "white-box", "scores": "black-box", "nothing": "noise"}.get(
        needs, "unknown")


def norm_name(value: Any) -> str | None:
    """``linf`` / ``l2`` from the spellings plugins use (``Linf``, ``inf``, ``L2``, ``2``)."""
    if value is None:
        return None
    text = str(value).lower().replace("_", "").replace("-", "")
    if text in ("linf", "inf", "l∞"):
        return "linf"
    if text in ("l2", "2"):
        return "l2"
    return None


def _threat_fields(spec: Any) -> dict[str, Any]:
    # a typed ``threat`` field where the registry has one, else the legacy ``extra`` keys
    typed = getattr(spec, "threat", None)
    if typed is not None and not isinstance(typed, str):
        return {"norm": getattr(typed, "norm", None),
                "iterative": getattr(typed, "iterative", None),
                "unbounded": bool(getattr(typed, "unbounded", False))}
    extra = getattr(spec, "extra", None) or {}
    return {"norm": extra.get("norm"), "iterative": extra.get("iterative"),
            "unbounded": bool(extra.get("unbounded"))}


def facts_of(spec: Any, params: dict[str, Any] | None = None) -> PerturbationFacts:
    """The facts of a perturbation spec at the given params (a ``norm`` param wins)."""
    needs = getattr(spec.needs, "value", spec.needs)
    fields = _threat_fields(spec)
    norm = norm_name((params or {}).get("norm", fields["norm"]))
    if norm is None and fields["norm"] is not None:
        norm = norm_name(fields["norm"])
    return PerturbationFacts(threat=threat_of(str(needs)), needs=str(needs), norm=norm,
                             iterative=fields["iterative"], unbounded=fields["unbounded"],
                             strength_param=spec.strength)


def facts_from_registry(name: str, params: dict[str, Any]) -> PerturbationFacts:
    """Facts looked up in the installed registry: only for upgrading an old store, once."""
    from robustkit.components import Kind
    from robustkit.plugins import get_registry

    if name == "clean":
        return CLEAN
    try:
        spec = get_registry().get(Kind.PERTURBATION, name)
    except Exception:  # the plugin is gone: say so rather than guess
        return UNKNOWN
    return facts_of(spec, params)


def data_facts(info: Any, x_train: Any, eval_samples: int) -> dict[str, Any]:
    """The data facts a report needs with each run: the task, the number of classes (for the
    chance-level flag) and how many samples were trained on and evaluated."""
    task = getattr(info, "task", None)
    return {"task": getattr(task, "value", task), "num_classes": getattr(info, "num_classes", None),
            "train_samples": int(x_train.shape[0]), "eval_samples": int(eval_samples)}
