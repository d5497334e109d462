"""Evaluation-integrity checks: numbers that look like gradient masking or a broken attack.

Follows the checklist of Carlini et al., *On Evaluating Adversarial Robustness* (2019), the
obfuscated-gradient signs of Athalye, Carlini & Wagner (ICML 2018), and AutoAttack's sanity
checks (Croce & Hein, ICML 2020). Each check yields :class:`Flag` objects that the store keeps
next to the number they doubt and that the report prints beside it.

Two families:

- *row checks* read accuracies of several perturbation settings (one run, or a whole sweep):
  iterative weaker than one-step, accuracy not falling as ε grows, an unbounded attack not
  reaching ~0 %, black-box stronger than white-box;
- *model checks* run inside a pipeline right after an adversarial evaluation: random noise in
  the same ε-ball stronger than the attack, more steps still changing the result, and zero, NaN
  or vanishing input gradients.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import torch
    from torch import nn

# tolerances, in accuracy points (0-1), chosen above the sampling noise of a few hundred
# test points so that a quiet model stays quiet
TOL_ORDER = 0.02
TOL_UNBOUNDED = 0.05
TOL_STEPS = 0.02
ZERO_GRAD_SHARE = 0.10


@dataclass(frozen=True)
class Flag:
    """One doubt about one number."""

    check: str
    label: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"check": self.check, "label": self.label, "message": self.message}


@dataclass
class Setting:
    """What the row checks need to know of one evaluated perturbation setting."""

    label: str
    perturbation: str
    accuracy: float
    threat: str = "noise"  # white-box | black-box | noise
    iterative: bool | None = None
    unbounded: bool = False
    strength: float | None = None
    norm: str | None = None
    group: str = ""  # settings are only compared within one group (same model, defenses)
    extra: dict[str, Any] = field(default_factory=dict)


def threat_of(needs: str) -> str:
    return {"gradients": "white-box", "scores": "black-box"}.get(needs, "noise")


def _groups(settings: Iterable[Setting]) -> dict[str, list[Setting]]:
    out: dict[str, list[Setting]] = {}
    for s in settings:
        out.setdefault(s.group, []).append(s)
    return out


def check_iterative_weaker(settings: Sequence[Setting]) -> list[Flag]:
    """An iterative attack must be at least as strong as a one-step attack at the same ε."""
    flags = []
    for group in _groups(settings).values():
        one_step = [s for s in group if s.threat == "white-box" and s.iterative is False]
        iterative = [s for s in group if s.threat == "white-box" and s.iterative]
        for it in iterative:
            for one in one_step:
                if (it.strength is None or one.strength is None or it.norm != one.norm
                        or not math.isclose(it.strength, one.strength, rel_tol=1e-6)):
                    continue
                if it.accuracy > one.accuracy + TOL_ORDER:
                    flags.append(Flag("iterative-weaker-than-one-step", it.label,
                        f"{it.label} leaves {it.accuracy:.1%} accuracy but the one-step "
                        f"{one.label} leaves {one.accuracy:.1%}: an iterative attack weaker "
                        "than one step suggests gradient masking or a broken attack."))
    return flags


def check_monotone_in_strength(settings: Sequence[Setting]) -> list[Flag]:
    """Accuracy must not rise as the perturbation grows (same perturbation, other params)."""
    flags = []
    for group in _groups(settings).values():
        by_pert: dict[tuple, list[Setting]] = {}
        for s in group:
            if s.strength is not None:
                key = (s.perturbation, tuple(sorted((k, str(v)) for k, v in s.extra.items())))
                by_pert.setdefault(key, []).append(s)
        for series in by_pert.values():
            series.sort(key=lambda s: s.strength)
            for weak, strong in zip(series, series[1:], strict=False):
                if strong.accuracy > weak.accuracy + TOL_ORDER:
                    flags.append(Flag("accuracy-rises-with-strength", strong.label,
                        f"accuracy rises from {weak.accuracy:.1%} at {weak.label} to "
                        f"{strong.accuracy:.1%} at {strong.label}: a stronger perturbation "
                        "should not help; the attack may not be converging."))
    return flags


def check_unbounded_reaches_zero(settings: Sequence[Setting]) -> list[Flag]:
    """An attack with no budget limit must drive accuracy to about zero."""
    return [
        Flag("unbounded-not-zero", s.label,
             f"{s.label} is unbounded but leaves {s.accuracy:.1%} accuracy; an unbounded "
             "attack should reach ~0%. Suspect gradient masking or too few iterations.")
        for s in settings if s.unbounded and s.accuracy > TOL_UNBOUNDED
    ]


def check_blackbox_stronger(settings: Sequence[Setting]) -> list[Flag]:
    """A score-only attack or noise must not beat the white-box attacks of at least its budget."""
    flags = []
    for group in _groups(settings).values():
        white = [s for s in group if s.threat == "white-box"]
        for other in (s for s in group if s.threat == "black-box"):
            if other.unbounded:  # unbounded score attacks compare with unbounded white-box
                peers = [w for w in white if w.unbounded and w.norm == other.norm]
            else:
                peers = [w for w in white if not w.unbounded and (
                    other.strength is None or w.strength is None
                    or (w.norm == other.norm and w.strength >= other.strength - 1e-12))]
            if peers:
                best = min(peers, key=lambda w: w.accuracy)
                if other.accuracy + TOL_ORDER < best.accuracy:
                    flags.append(Flag("black-box-stronger-than-white-box", best.label,
                        f"the score-only {other.label} leaves {other.accuracy:.1%} accuracy, "
                        f"below the white-box {best.label} ({best.accuracy:.1%}): gradients "
                        "are probably masked, so the white-box number overstates robustness."))
    return flags


ROW_CHECKS: tuple[Callable[[Sequence[Setting]], list[Flag]], ...] = (
    check_iterative_weaker, check_monotone_in_strength, check_unbounded_reaches_zero,
    check_blackbox_stronger,
)


def row_flags(settings: Sequence[Setting]) -> list[Flag]:
    return [f for check in ROW_CHECKS for f in check(settings)]


# -- model checks ------------------------------------------------------------------------


def accuracy(outputs: torch.Tensor, y: torch.Tensor) -> float:
    if y.numel() == 0:
        return math.nan
    return float((outputs.argmax(-1) == y).float().mean())


def check_random_noise(
    predict: Callable[[torch.Tensor], torch.Tensor],
    x: torch.Tensor,
    y: torch.Tensor,
    *,
    eps: float,
    norm: str,
    bounds: tuple[float, float],
    attack_accuracy: float,
    label: str,
    generator: torch.Generator,
) -> list[Flag]:
    """Random points on the attack's own ε-ball must not beat the attack."""
    import torch

    if norm == "linf":
        noise = (torch.randint(0, 2, x.shape, generator=generator).to(x) * 2 - 1) * eps
    else:
        noise = torch.randn(x.shape, generator=generator).to(x)
        norms = noise.flatten(1).norm(dim=1).clamp_min(1e-12)
        noise = noise / norms.view(-1, *[1] * (x.dim() - 1)) * eps
    acc = accuracy(predict((x + noise).clamp(*bounds)), y)
    if acc + TOL_ORDER < attack_accuracy:
        return [Flag("random-noise-stronger", label,
                     f"random {norm} noise of the same size (eps={eps:g}) leaves {acc:.1%} "
                     f"accuracy, below the attack's {attack_accuracy:.1%}: the attack is not "
                     "finding the worst case, a classic sign of gradient masking.")]
    return []


def check_more_steps(before: float, after: float, label: str, steps: int) -> list[Flag]:
    """Doubling the attack's steps must not lower accuracy further (else it has not converged)."""
    if before - after > TOL_STEPS:
        return [Flag("more-steps-change-result", label,
                     f"with {2 * steps} steps instead of {steps} accuracy drops from "
                     f"{before:.1%} to {after:.1%}: the attack has not converged, so this "
                     "number overstates robustness; raise steps or restarts.")]
    return []


def input_gradients(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Per-sample gradient of the cross-entropy loss with respect to the inputs."""
    import torch
    import torch.nn.functional as F

    x = x.detach().clone().requires_grad_(True)
    out = model(x)
    if not out.requires_grad:
        return torch.zeros_like(x)
    loss = F.cross_entropy(out, y, reduction="sum")
    (grad,) = torch.autograd.grad(loss, x, allow_unused=True)
    return torch.zeros_like(x) if grad is None else grad


@dataclass(frozen=True)
class GradientCensus:
    """How many input gradients are zero, and in which sense.

    ``exact_zero``: every element of the sample's gradient is 0.0. ``underflowing``: some
    element is non-zero but a float32 norm of the gradient rounds to 0 (squares below ~1e-45):
    a ``grad.norm() == 0`` test would call these zero, they are not. ``vanishing``: non-zero
    with a norm (taken in float64) below :data:`VANISHING_NORM`: a sign step still moves them,
    a normalised step barely, and any batch-mean loss may underflow them to zero.
    """

    n: int
    exact_zero: int
    underflowing: int
    vanishing: int
    median_norm: float

    def share(self, count: int) -> float:
        return count / self.n if self.n else 0.0


# below this float64 norm a gradient is "vanishing": one more division by a batch size or a
# temperature sends most of its elements under float32's smallest subnormal (1.4e-45)
VANISHING_NORM = 1e-19


def gradient_census(grad: torch.Tensor) -> GradientCensus:
    """Count, per sample, exactly-zero, underflowing and vanishing input gradients."""
    flat = grad.detach().flatten(1)
    nonzero = (flat != 0).any(1)
    norm32 = flat.float().norm(dim=1)
    norm64 = flat.double().norm(dim=1)  # float64 squares reach 1e-308: no underflow here
    return GradientCensus(
        n=int(flat.shape[0]),
        exact_zero=int((~nonzero).sum()),
        underflowing=int((nonzero & (norm32 == 0)).sum()),
        vanishing=int((nonzero & (norm64 < VANISHING_NORM)).sum()),
        median_norm=float(norm64.median()) if flat.shape[0] else math.nan,
    )


def check_gradients(model: nn.Module, x: torch.Tensor, y: torch.Tensor, label: str) -> list[Flag]:
    """Zero, NaN or vanishing input gradients make gradient attacks meaningless.

    "Exactly zero" is decided per element (all of a sample's gradient elements are 0.0), not
    from ``grad.norm() == 0``, which a float32 norm also returns for tiny non-zero gradients;
    those are counted separately as vanishing.
    """
    import torch

    grad = input_gradients(model, x, y).flatten(1)
    flags = []
    if not torch.isfinite(grad).all():
        share = float((~torch.isfinite(grad)).any(1).float().mean())
        flags.append(Flag("nan-gradients", label,
                          f"{share:.1%} of test inputs have NaN or infinite input gradients: "
                          "gradient attacks on this model are not trustworthy."))
        return flags
    c = gradient_census(grad)
    zero, tiny = c.share(c.exact_zero), c.share(c.vanishing)
    if zero > ZERO_GRAD_SHARE:
        also = (f" A further {tiny:.1%} are non-zero but below {VANISHING_NORM:g} in norm"
                f" ({c.share(c.underflowing):.1%} so small that a float32 norm reads 0)."
                if c.vanishing else "")
        flags.append(Flag("zero-gradients", label,
                          f"{zero:.1%} of test inputs have an input gradient of exactly zero "
                          "(every element 0.0: saturated softmax or a non-differentiable step):"
                          " gradient attacks cannot move them, so robust accuracy is "
                          f"overstated.{also} Try attacking the logits (or logits / T), C&W, or "
                          "a score-based attack."))
    if tiny > ZERO_GRAD_SHARE or (zero == 0 and c.median_norm < 1e-10):
        flags.append(Flag("vanishing-gradients", label,
                          f"{tiny:.1%} of test inputs have a non-zero input gradient below "
                          f"{VANISHING_NORM:g} in norm ({c.share(c.underflowing):.1%} so small "
                          "that a float32 norm reads 0); the median norm is "
                          f"{c.median_norm:.2e}: gradients vanish numerically, so gradient "
                          "attacks stall. Attack the logits (margin or DLR loss)."))
    return flags
