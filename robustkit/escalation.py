"""Adaptive escalation: a number an integrity check doubts gets the attack its doubt calls for.

A flag alone leaves the masked number in the report (a distilled model at ~85 % "robust"
accuracy with a warning beside it). With ``integrity = "escalate"`` (the default), every cell
(one perturbation setting of one run) that an integrity check doubts is attacked again by the
adaptive attacks that defeat the suspected failure mode (Athalye, Carlini & Wagner 2018;
Carlini et al. 2019; Tramèr et al. 2020), and the store keeps, beside the reported number, the
per-sample worst case: a sample counts as robust only if the reported attack *and* every
adaptive attack left it correctly classified. The worst case therefore never exceeds the
reported number.

Which attacks each doubt calls for (docs/integrity.md has the table):

- zero, vanishing or NaN gradients (a saturated softmax): PGD on logits / T (T from the
  logit margins), PGD with a margin loss, APGD with the DLR loss;
- a defense declared ``differentiable=False``: the same attacks through BPDA (the identity on
  the backward pass of each input transform);
- outputs that change between passes (a randomised defense): the same through EOT;
- a non-converged or out-of-order attack (more steps, random noise, iterative weaker than
  one step, black-box stronger than white-box): the logit attacks, with more steps;
- always: Square (score-only, gradient-free) as a cross-check.

Attacks come from the installed plugins by name (``pgd``, ``apgd``, ``square``); one that is
not installed, or whose params it does not take, is skipped and the reason stored.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import TYPE_CHECKING, Any, Literal

from robustkit.components import Kind, Needs
from robustkit.integrity import Flag

if TYPE_CHECKING:
    import torch
    from torch import nn

    from robustkit.components import DataInfo
    from robustkit.registry import ComponentSpec, Registry

Mode = Literal["escalate", "flag", "off"]
MODES: tuple[str, ...] = ("escalate", "flag", "off")

GRADIENT_CHECKS = frozenset({"zero-gradients", "vanishing-gradients", "nan-gradients"})
NON_DIFFERENTIABLE = "non-differentiable-defense"
RANDOMISED = "randomised-model"
# steps of the adaptive gradient attacks: well beyond the usual 10, as Carlini et al. (2019)
# ask of an evaluation (convergence), cheap on the cells that get escalated
ADAPTIVE_STEPS = 50
EOT_DRAWS = 16
SQUARE_QUERIES = 1000
# a returned example counts only when inside the cell's own budget (relative slack for float)
_BUDGET_SLACK = 1e-4


@dataclass(frozen=True)
class Attempt:
    """One adaptive attack to run on a doubted cell.

    :param attack: the name shown and stored, e.g. ``bpda+pgd(logits/T=87)``.
    :param perturbation: the registered perturbation it runs.
    :param params: its params (the cell's ε and norm, more steps).
    :param through: how the model is seen by a gradient attack: ``bpda``, ``eot``,
        ``logits/T``, in that order of wrapping; empty for score-only attacks.
    :param reason: the doubt that asked for it.
    """

    attack: str
    perturbation: str
    params: dict[str, Any]
    through: tuple[str, ...] = ()
    reason: str = ""
    temperature: float = 1.0


@dataclass
class Escalation:
    """The worst case of one doubted cell.

    :param reported: the cell's accuracy as evaluated.
    :param worst: the per-sample worst case over the reported attack and every attempt.
    :param attack: the attempts that lowered it, strongest first (``"reported"`` when none
        did).
    :param attempts: per attempt: ``attack``, ``accuracy`` (its own), ``broke`` (samples it
        broke that no earlier attempt or the reported attack broke), or ``skipped`` (why).
    """

    label: str
    metric: str
    reported: float
    worst: float
    attack: str
    checks: list[str]
    attempts: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass
class Cell:
    """What the escalator keeps of one evaluated setting."""

    label: str
    spec: ComponentSpec
    params: dict[str, Any]
    eps: float
    norm: str
    correct: torch.Tensor


@dataclass
class EscalationContext:
    """What escalation needs of the running pipeline (kept explicit so any stage can call it).

    :param add_flags: stores flags (and shows them in the report).
    :param add_escalations: stores escalations (``Store.add_escalations`` of the run).
    """

    mode: str
    registry: Registry
    defenses: Sequence[ComponentSpec]
    model: nn.Module
    x: torch.Tensor
    y: torch.Tensor
    info: DataInfo
    seed: int
    device: str
    batch_size: int
    probe_samples: int
    add_flags: Callable[[list[Flag]], None]
    add_escalations: Callable[[list[Escalation]], None]


def normalise_mode(value: Any) -> str:
    """``True`` (the old boolean switch) means ``"escalate"``, ``False`` means ``"off"``."""
    if value is True:
        return "escalate"
    if value is False:
        return "off"
    return value


def threat_fact(spec: ComponentSpec, key: str) -> Any:
    """A perturbation's threat fact (``norm``, ``unbounded``): the typed ``spec.threat`` where
    the registry has it, else the older ``extra`` dict."""
    threat = getattr(spec, "threat", None)
    if threat is not None:
        return getattr(threat, key, None)
    return getattr(spec, "extra", {}).get(key)


def norm_of(spec: ComponentSpec, params: dict[str, Any]) -> str | None:
    text = str(params.get("norm", threat_fact(spec, "norm") or "linf")).lower()
    text = text.replace("_", "").replace("-", "")
    return {"linf": "linf", "inf": "linf", "l∞": "linf", "l2": "l2", "2": "l2"}.get(text)


class Escalator:
    """Observes each evaluation of a run; at the end, probes the model (randomised? a
    non-differentiable defense?) and, in ``escalate`` mode, re-attacks every doubted cell."""

    def __init__(self, ctx: EscalationContext):
        self.ctx = ctx
        self.cells: list[Cell] = []

    def observe(self, setting: Any, outputs: torch.Tensor) -> None:
        """Record one evaluated setting (``PerturbationSetting``) and its model outputs."""
        spec, params = setting.spec, setting.params_dict()
        norm = norm_of(spec, params)
        bounded = spec.strength in ("eps", "epsilon") and not threat_fact(spec, "unbounded")
        if not bounded or norm is None or setting.strength is None or spec.needs is Needs.NOTHING:
            return
        correct = (outputs.argmax(-1) == self.ctx.y).detach().cpu()
        self.cells.append(Cell(setting.label, spec, params, float(setting.strength), norm,
                               correct))

    def probe(self) -> list[Flag]:
        """Run-level doubts that apply to every bounded cell: randomness, non-differentiable
        defenses."""
        from robustkit.adaptive import is_randomised

        ctx, flags = self.ctx, []
        blocking = [d.name for d in ctx.defenses if not d.differentiable]
        randomised = is_randomised(ctx.model, ctx.x[: ctx.probe_samples])
        for cell in self.cells:
            if blocking:
                flags.append(Flag(NON_DIFFERENTIABLE, cell.label,
                    f"defense(s) {blocking} are not differentiable: gradient attacks cannot "
                    "see through them, so this number may only reflect that. BPDA (identity "
                    "on the backward pass, Athalye et al. 2018) is the adaptive attack."))
            if randomised:
                flags.append(Flag(RANDOMISED, cell.label,
                    "the model's outputs change between two passes on the same inputs: a "
                    "gradient attack follows one draw of the randomness. EOT (expectation over "
                    "transformation, Athalye et al. 2018) is the adaptive attack."))
        return flags

    def finish(self, flags: Sequence[Flag]) -> list[Escalation]:
        """Store the probes' flags; in ``escalate`` mode escalate every doubted cell."""
        if not self.cells:
            return []
        extra = self.probe()
        if extra:
            self.ctx.add_flags(extra)
        if self.ctx.mode != "escalate":
            return []
        doubts: dict[str, set[str]] = {}
        for f in [*flags, *extra]:
            doubts.setdefault(f.label, set()).add(f.check)
        done = [self.escalate(c, doubts[c.label]) for c in self.cells if doubts.get(c.label)]
        if done:
            self.ctx.add_escalations(done)
        return done

    # -- one cell --------------------------------------------------------------------------
    def attempts(self, cell: Cell, checks: set[str]) -> list[Attempt]:
        """The adaptive attacks for ``cell`` given the checks that doubted it."""
        from robustkit.adaptive import unsaturating_temperature

        through: tuple[str, ...] = ()
        if NON_DIFFERENTIABLE in checks:
            through += ("bpda",)
        if RANDOMISED in checks:
            through += ("eot",)
        prefix = "".join(f"{t}+" for t in through)
        ball = {"eps": cell.eps, "norm": cell.norm}
        steps = max(ADAPTIVE_STEPS, 2 * int(cell.params.get("steps") or 0))
        why = ", ".join(sorted(checks))
        temp = unsaturating_temperature(self._gradient_model(through),
                                        self.ctx.x[: self.ctx.probe_samples])
        out = [
            Attempt(f"{prefix}pgd(logits/T={temp:.3g})", "pgd", {**ball, "steps": steps},
                    (*through, "logits/T"), why, temp),
            Attempt(f"{prefix}pgd-margin", "pgd", {**ball, "steps": steps, "loss": "margin"},
                    through, why),
            Attempt(f"{prefix}apgd-dlr", "apgd", {**ball, "steps": steps, "loss": "dlr"},
                    through, why),
            self._square(ball),
        ]
        if through and not checks & GRADIENT_CHECKS:
            # BPDA / EOT with the plain loss too: it is the reference form of both attacks
            out.insert(0, Attempt(f"{prefix}pgd", "pgd", {**ball, "steps": steps}, through,
                                  why))
        return out

    def _square(self, ball: dict[str, Any]) -> Attempt:
        """Square (Andriushchenko et al. 2020): robustkit's own, else torchattacks' through
        its adapter (``ta-square``, whose norms are spelt ``Linf`` / ``L2``)."""
        why = "gradient-free cross-check"
        if not self.ctx.registry.find("square") and self.ctx.registry.find("ta-square"):
            spelt = {"linf": "Linf", "l2": "L2"}[ball["norm"]]
            return Attempt("square", "ta-square", {"eps": ball["eps"], "norm": spelt,
                                                   "n_queries": SQUARE_QUERIES}, (), why)
        return Attempt("square", "square", {**ball, "queries": SQUARE_QUERIES}, (), why)

    def escalate(self, cell: Cell, checks: set[str]) -> Escalation:
        """Run every attempt on ``cell``; the per-sample worst case and who got it."""
        robust = cell.correct.clone()
        reported = float(robust.float().mean())
        records: list[tuple[float, dict[str, Any]]] = []
        for a in self.attempts(cell, checks):
            if not robust.any():  # nothing left to break: spare the remaining attacks
                records.append((math.inf, {"attack": a.attack,
                                           "skipped": "every sample was already broken"}))
                continue
            try:
                correct = self._run(a, cell)
            except Exception as exc:  # one attack failing must not cost the run its numbers
                records.append((math.inf, {"attack": a.attack, "skipped": _reason(exc)}))
                continue
            broke = int((robust & ~correct).sum())
            robust &= correct
            records.append((float(correct.float().mean()), {
                "attack": a.attack, "accuracy": float(correct.float().mean()), "broke": broke,
                "reason": a.reason}))
        worst = float(robust.float().mean())
        lowered = sorted((acc, r["attack"]) for acc, r in records if r.get("broke"))
        return Escalation(cell.label, "accuracy", reported, min(worst, reported),
                          " + ".join(name for _, name in lowered) or "reported",
                          sorted(checks), [r for _, r in records])

    def _gradient_model(self, through: Sequence[str]) -> nn.Module:
        from robustkit.adaptive import EOT, bpda

        model = self.ctx.model
        if "bpda" in through:
            model = bpda(model)
        if "eot" in through:
            model = EOT(model, EOT_DRAWS)
        return model

    def _run(self, a: Attempt, cell: Cell) -> torch.Tensor:
        """Per-sample correctness of the deployed model on ``a``'s examples; an example
        outside the cell's budget or the data bounds counts as not broken."""
        import torch

        from robustkit.adaptive import LogitScale
        from robustkit.data import PerturbContext, ScoreOracle, derive_seed, make_generator
        from robustkit.trainer import predict

        ctx = self.ctx
        spec = ctx.registry.get(Kind.PERTURBATION, a.perturbation)
        pert = spec.build(fit_params(spec, a.params))
        access: Any
        if spec.needs is Needs.SCORES:
            # float64 probabilities keep a runner-up class that float32 rounds to 0 (up to a
            # logit margin of ~700); torchattacks' Square would turn its inputs to float64
            dtype = torch.float32 if a.perturbation.startswith("ta-") else torch.float64
            access = ScoreOracle(lambda v: torch.softmax(
                predict(ctx.model, v, ctx.batch_size).to(dtype), dim=-1),
                num_classes=ctx.info.num_classes)
        else:
            access = self._gradient_model([t for t in a.through if t != "logits/T"])
            if "logits/T" in a.through:
                access = LogitScale(access, a.temperature)
        seed = derive_seed(ctx.seed, "escalate", cell.label, a.attack)
        gen = make_generator(ctx.seed, "escalate", cell.label, a.attack, device="cpu")
        chunks = []
        for start in range(0, ctx.x.shape[0], ctx.batch_size):
            xb, yb = ctx.x[start:start + ctx.batch_size], ctx.y[start:start + ctx.batch_size]
            pctx = PerturbContext(info=ctx.info, seed=seed, generator=gen, model=access,
                                  device=ctx.device)
            chunks.append(pert.perturb(xb, yb, pctx).detach())
        x_adv = torch.cat(chunks)
        valid = _within(x_adv, ctx.x, cell.eps, cell.norm, ctx.info.bounds)
        correct = predict(ctx.model, x_adv, ctx.batch_size).argmax(-1) == ctx.y
        return (correct | ~valid).cpu()


# names the same knob goes by in different attacks' params
_ALIASES = {"steps": ("steps", "n_iter", "max_iter", "iterations"),
            "queries": ("queries", "n_queries", "max_queries", "query_budget"),
            "eps": ("eps", "epsilon"), "norm": ("norm",), "loss": ("loss",)}


def fit_params(spec: ComponentSpec, wanted: dict[str, Any]) -> dict[str, Any]:
    """``wanted`` in the names ``spec`` takes. A budget (steps, queries) it does not take is
    left at its default; a missing ``eps`` or ``loss``, or an L2 ball for an attack with no
    ``norm``, makes the attempt impossible (ParamsError, stored as the reason it was
    skipped)."""
    from robustkit.errors import ParamsError

    fields = spec.params.model_fields
    out: dict[str, Any] = {}
    for key, value in wanted.items():
        name = next((n for n in _ALIASES.get(key, (key,)) if n in fields), None)
        if name is not None:
            out[name] = value
        elif key in ("eps", "loss") or (key == "norm" and value != "linf"):
            raise ParamsError(f"{spec.name} takes no '{key}' parameter")
    return out


def _within(x_adv: torch.Tensor, x: torch.Tensor, eps: float, norm: str,
            bounds: tuple[float, float]) -> torch.Tensor:
    d = (x_adv - x).flatten(1).double()
    size = d.abs().amax(1) if norm == "linf" else d.norm(dim=1)
    lo, hi = bounds
    flat = x_adv.flatten(1)
    inside = (flat >= lo - 1e-6).all(1) & (flat <= hi + 1e-6).all(1)
    return (size <= eps * (1 + _BUDGET_SLACK) + 1e-7) & inside & x_adv.flatten(1).isfinite().all(1)


def _reason(exc: BaseException) -> str:
    """The first sentence of the error: why an attempt was skipped, short enough to store."""
    text = (str(exc).strip().splitlines() or [""])[0]
    return f"{type(exc).__name__}: {text.split('. ')[0]}"[:200]


def worst_case_column(escalations: Sequence[dict[str, Any]]) -> dict[str, str]:
    """Per label, ``"0.860 → 0.000 (pgd(logits/T=87))"`` for the run table."""
    return {e["label"]: f"{e['reported']:.4f} → {e['worst']:.4f} ({e['attack']})"
            for e in escalations if e.get("metric") == "accuracy"}
