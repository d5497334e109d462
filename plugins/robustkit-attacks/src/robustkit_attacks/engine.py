"""The attack loop shared by FGSM, BIM, PGD and MIM.

One loop serves every attack; they differ in the step rule (sign, normalised L2, momentum),
the projection, the start point and the number of steps (see :class:`AttackConfig`).

Two arithmetic modes:

- *exact*: the default memory format and, operation for operation, the arithmetic of the
  reference implementation (torchattacks 3.5.1), with the batch-mean cross-entropy, so
  results can be compared bit for bit;
- *fast*: channels-last for CNNs where that was measured faster, a summed loss (per-sample
  gradients independent of which other samples are still being attacked), and the ε-ball
  and data bounds folded into one per-element box computed once, so each L∞ step is one
  in-place add and one clamp.

The loss and the success test are pluggable (``AttackConfig.loss``, ``AttackConfig.success``;
see :mod:`robustkit_attacks.losses`): cross-entropy by default, DLR, the C&W margin or a
temperature-scaled cross-entropy by name, or any callable, so a forecasting attack can run this
loop on a regression loss with its own success test.

Evaluation (``early_stop``) freezes a sample at the first iterate that is misclassified (for
a targeted attack: classified as the target) and drops it from later forward and backward
passes: the worst case over iterates, as AutoAttack reports it.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from robustkit.errors import DataError
from robustkit_attacks.errors import NoGradientError
from robustkit_attacks.losses import LossFn, SuccessFn, get_loss, reached
from robustkit_attacks.model_state import attack_state

# torchattacks' guard against dividing by a zero gradient norm (PGD-L2); kept for exact mode.
_L2_DIV_EPS = 1e-10
# MIM divides by the mean absolute gradient; a zero gradient would give NaN, so floor it.
_MIM_FLOOR = 1e-30


@dataclass(frozen=True)
class AttackConfig:
    """Everything that defines one gradient attack run.

    :param loss: a loss name of :data:`robustkit_attacks.losses.LOSSES` or a callable
        :class:`~robustkit_attacks.losses.LossFn` (ascended; per-sample values).
    :param temperature: the temperature of the ``ce-t`` loss.
    :param success: the test of a won sample, ``success(outputs, labels, targeted)``; default
        :func:`~robustkit_attacks.losses.reached` (classification). A custom loss or success
        test skips the engine's checks that the outputs are class scores.
    :param clip: how exact mode projects, mirroring the reference: ``delta`` (clamp the
        change, then the bounds: PGD, MIM), ``box`` (clamp to the intersection of the ball and
        the bounds: BIM) or ``bounds`` (bounds only: FGSM, whose single step stays in the ball).
    """

    eps: float
    alpha: float
    steps: int
    norm: str = "linf"
    random_start: bool = False
    restarts: int = 1
    decay: float | None = None
    clip: str = "delta"
    targeted: bool = False
    bounds: tuple[float, float] = (0.0, 1.0)
    exact: bool = False
    early_stop: bool = False
    loss: str | LossFn = "ce"
    temperature: float = 1.0
    success: SuccessFn | None = None

    @property
    def classifies(self) -> bool:
        """Whether outputs are class scores (the built-in losses and success test)."""
        return isinstance(self.loss, str) and self.success is None

    def loss_fn(self) -> LossFn:
        return get_loss(self.loss, temperature=self.temperature) if isinstance(
            self.loss, str) else self.loss

    def won(self, outputs: torch.Tensor, labels: torch.Tensor) -> torch.Tensor:
        return (self.success or reached)(outputs, labels, self.targeted)


@dataclass
class AttackResult:
    """The adversarial examples and what the attack learnt about each sample.

    :param x_adv: adversarial inputs, same shape, dtype and memory format as the inputs.
    :param gradient_evaluations: forward-backward passes spent on each sample.
    :param fooled: whether the attack saw the sample misclassified (targeted: classified as
        the target) at its returned iterate. With one restart the last iterate is not
        re-scored (the caller predicts on it anyway), so a sample that falls only there reads
        ``False``; ``None`` for a generate run with one restart, which checks nothing.
    """

    x_adv: torch.Tensor
    gradient_evaluations: torch.Tensor
    fooled: torch.Tensor | None


def check_inputs(x: torch.Tensor, y: torch.Tensor, bounds: tuple[float, float],
                 classify: bool = True) -> None:
    """Raise DataError for inputs an attack cannot take: shapes, dtype, NaN, out of bounds.

    :param classify: ``y`` are class indices (the built-in losses); else targets of any shape
        and dtype with one row per input (a custom loss, e.g. a forecast's MSE).
    """
    if not isinstance(x, torch.Tensor) or not isinstance(y, torch.Tensor):
        raise DataError("attack inputs and labels must be torch tensors")
    if not x.is_floating_point():
        raise DataError(f"attack inputs must be floating point, got {x.dtype}")
    if not classify:
        if y.dim() == 0 or y.shape[0] != x.shape[0]:
            raise DataError(f"attack targets must have one row per input ({x.shape[0]}); "
                            f"got shape {tuple(y.shape)}")
    elif y.dim() != 1 or y.shape[0] != x.shape[0]:
        raise DataError(
            f"attack labels must have shape ({x.shape[0]},) for {x.shape[0]} inputs; "
            f"got {tuple(y.shape)}"
        )
    if classify and (y.is_floating_point() or y.is_complex()):
        raise DataError(f"attack labels must be integer class indices, got {y.dtype}")
    lo, hi = bounds
    if not lo < hi:
        raise DataError(f"attack bounds must satisfy lower < upper, got {bounds}")
    if x.numel() and not torch.isfinite(x).all():
        raise DataError("attack inputs contain NaN or infinity")
    if x.numel() and (float(x.min()) < lo - 1e-6 or float(x.max()) > hi + 1e-6):
        raise DataError(
            f"attack inputs span [{float(x.min()):.4g}, {float(x.max()):.4g}], outside the "
            f"bounds [{lo}, {hi}]; pass the data's bounds (DataInfo.bounds / bounds=)"
        )


def _per_sample(t: torch.Tensor) -> tuple[int, ...]:
    """Shape that broadcasts a per-sample value over one sample's values."""
    return (t.shape[0],) + (1,) * (t.dim() - 1)


def _flat_norm(t: torch.Tensor) -> torch.Tensor:
    return torch.norm(t.reshape(t.shape[0], -1), p=2, dim=1)


def _check_logits(logits: object, y: torch.Tensor, classify: bool = True) -> torch.Tensor:
    """The model's output must be differentiable class scores, one row per input."""
    if not isinstance(logits, torch.Tensor):
        raise NoGradientError(
            f"the model returned {type(logits).__name__}, not a tensor of class scores; "
            "gradient attacks need a model whose forward returns logits"
        )
    if not logits.is_floating_point():
        raise NoGradientError(
            f"the model returned {logits.dtype} outputs, which carry no gradient; gradient "
            "attacks (fgsm, bim, pgd, mim) need differentiable scores. Use a score-based "
            "attack, or attack the model before its argmax/rounding"
        )
    if not logits.requires_grad:
        raise NoGradientError(
            "the model's outputs do not depend differentiably on its inputs (no gradient "
            "path: e.g. argmax/one-hot, .detach(), torch.no_grad or a non-differentiable "
            "defense inside forward). A gradient attack would change nothing and report a "
            "false robust accuracy; use a score-based attack or attack a differentiable "
            "approximation (BPDA, Athalye et al. 2018)"
        )
    if not classify:
        return logits
    if logits.dim() != 2 or logits.shape[0] != y.shape[0] or logits.shape[1] < 2:
        raise DataError(
            f"the model returned outputs of shape {tuple(logits.shape)} for {y.shape[0]} "
            "inputs; gradient attacks need class scores of shape (N, classes >= 2)"
        )
    if y.numel() and (int(y.min()) < 0 or int(y.max()) >= logits.shape[1]):
        raise DataError(
            f"attack labels span [{int(y.min())}, {int(y.max())}] but the model scores "
            f"{logits.shape[1]} classes"
        )
    return logits


def _loss(logits: torch.Tensor, y: torch.Tensor, cfg: AttackConfig,
          true: torch.Tensor | None) -> torch.Tensor:
    # exact: the reference's batch mean; fast: the sum, so a sample's gradient does not
    # depend on how many others are still active
    if cfg.loss == "ce":  # the reduction inside cross_entropy keeps results bit-identical
        loss = F.cross_entropy(logits, y, reduction="mean" if cfg.exact else "sum")
        return -loss if cfg.targeted else loss
    per_sample = cfg.loss_fn()(logits, y, targeted=cfg.targeted, true=true)
    return per_sample.mean() if cfg.exact else per_sample.sum()


def _random_start(x0: torch.Tensor, cfg: AttackConfig, gen: torch.Generator | None):
    lo, hi = cfg.bounds
    # drawn on the generator's device (CPU in pipelines) so results do not depend on the device
    gdev = gen.device if gen is not None else torch.device("cpu")
    if cfg.norm == "linf":
        u = torch.rand(x0.shape, generator=gen, dtype=x0.dtype, device=gdev).to(x0.device)
        start = x0 + (u * 2 - 1) * cfg.eps
    else:  # uniform radius in [0, eps] along a Gaussian direction, as torchattacks' PGD-L2
        d = torch.randn(x0.shape, generator=gen, dtype=x0.dtype, device=gdev).to(x0.device)
        r = torch.rand((x0.shape[0],), generator=gen, dtype=x0.dtype, device=gdev).to(x0.device)
        d = d * (r / _flat_norm(d).clamp_min(1e-12) * cfg.eps).view(_per_sample(d))
        start = x0 + d
    return start.clamp(lo, hi).contiguous(memory_format=_format_of(x0))


def _format_of(t: torch.Tensor) -> torch.memory_format:
    if t.dim() == 4 and not t.is_contiguous() and t.is_contiguous(
            memory_format=torch.channels_last):
        return torch.channels_last
    return torch.contiguous_format


class _Run:
    """One start of an attack on a batch; active rows are kept compacted."""

    def __init__(self, model: nn.Module, x0: torch.Tensor, y: torch.Tensor, cfg: AttackConfig,
                 gen: torch.Generator | None, check_gradient: bool,
                 true: torch.Tensor | None = None):
        self.model, self.cfg, self.check_gradient = model, cfg, check_gradient
        self.true = true  # true labels of a targeted run (the targeted DLR loss needs them)
        n = x0.shape[0]
        self.out = x0.clone() if not cfg.random_start else _random_start(x0, cfg, gen)
        self.evals = torch.zeros(n, dtype=torch.int64, device=x0.device)
        self.hit = torch.zeros(n, dtype=torch.bool, device=x0.device)
        self.final_loss: torch.Tensor | None = None
        # compacted state of the samples still attacked
        self.pos = torch.arange(n, device=x0.device)
        self.x0, self.y, self.cur = x0, y, self.out.clone()
        self.momentum = torch.zeros_like(x0) if cfg.decay is not None else None
        self.low = self.high = None
        if not cfg.exact and cfg.norm == "linf":
            # the ball and the bounds as one box, computed once for every step
            lo, hi = cfg.bounds
            self.low = (x0 - cfg.eps).clamp_(min=lo)
            self.high = (x0 + cfg.eps).clamp_(max=hi)

    def _drop(self, keep: torch.Tensor) -> None:
        """Freeze the rows not in ``keep`` at their current iterate, compact the rest."""
        gone = ~keep
        self.out[self.pos[gone]] = self.cur[gone]
        self.hit[self.pos[gone]] = True
        self.pos, self.x0, self.y, self.cur = (t[keep] for t in (self.pos, self.x0, self.y,
                                                                   self.cur))
        if self.true is not None:
            self.true = self.true[keep]
        fmt = _format_of(self.out)
        self.cur = self.cur.contiguous(memory_format=fmt)
        self.x0 = self.x0.contiguous(memory_format=fmt)
        if self.momentum is not None:
            self.momentum = self.momentum[keep]
        if self.low is not None:
            self.low, self.high = self.low[keep], self.high[keep]

    def _gradient(self, first: bool) -> torch.Tensor | None:
        """Loss gradient at the current iterates; ``None`` when every sample is frozen."""
        cfg = self.cfg
        xin = self.cur.requires_grad_(True)
        logits = self.model(xin)
        if first:
            logits = _check_logits(logits, self.y, cfg.classifies)
        self.evals[self.pos] += 1
        keep = None
        if cfg.early_stop:
            won = cfg.won(logits.detach(), self.y)
            if bool(won.any()):
                keep = ~won
                self.cur = self.cur.detach()
                self._drop(keep)
                if self.pos.numel() == 0:
                    return None
                logits = logits[keep]
        loss = _loss(logits, self.y, cfg, self.true)
        if first and self.check_gradient:
            grad, dlogits = torch.autograd.grad(loss, (xin, logits))
        else:
            (grad,) = torch.autograd.grad(loss, (xin,))
            dlogits = None
        if keep is not None:
            grad = grad[keep]
        else:
            self.cur = self.cur.detach()
        if dlogits is not None and not bool(grad.any()) and bool(dlogits.any()):
            raise NoGradientError(
                f"the loss changes with the model's outputs but its gradient with respect to "
                f"the inputs is exactly zero for all {grad.shape[0]} inputs: the model has no "
                "gradient path (a non-differentiable defense such as rounding, quantisation "
                "or argmax masks it). A gradient attack would report a false robust accuracy; "
                "use a score-based attack or BPDA (Athalye et al. 2018)"
            )
        return grad

    def _step(self, grad: torch.Tensor) -> None:
        cfg = self.cfg
        lo, hi = cfg.bounds
        if cfg.norm == "l2":
            g = grad / (_flat_norm(grad) + _L2_DIV_EPS).view(_per_sample(grad))
            delta = self.cur + cfg.alpha * g - self.x0
            factor = torch.clamp(cfg.eps / _flat_norm(delta), max=1.0)
            self.cur = torch.clamp(self.x0 + delta * factor.view(_per_sample(delta)), lo, hi)
            return
        if self.momentum is not None:  # MIM: L1-normalised gradient accumulated with decay
            dims = tuple(range(1, grad.dim()))
            grad = grad / torch.mean(torch.abs(grad), dim=dims, keepdim=True).clamp_min(
                _MIM_FLOOR)
            grad = grad + self.momentum * cfg.decay
            self.momentum = grad
        if not cfg.exact:
            self.cur.add_(grad.sign_(), alpha=cfg.alpha)
            self.cur = torch.clamp(self.cur, self.low, self.high)
            return
        nxt = self.cur + cfg.alpha * grad.sign()
        if cfg.clip == "bounds":
            self.cur = torch.clamp(nxt, lo, hi)
        elif cfg.clip == "box":
            low = torch.clamp(self.x0 - cfg.eps, min=lo)
            self.cur = torch.clamp(torch.min(torch.max(nxt, low), self.x0 + cfg.eps), max=hi)
        else:
            delta = torch.clamp(nxt - self.x0, min=-cfg.eps, max=cfg.eps)
            self.cur = torch.clamp(self.x0 + delta, lo, hi)

    def run(self, final_check: bool) -> None:
        for i in range(self.cfg.steps):
            grad = self._gradient(first=i == 0)
            if grad is None:
                break
            self._step(grad)
        if final_check:  # restarts compare runs; frozen (won) samples rank first
            self.final_loss = torch.full(self.evals.shape, float("inf"), device=self.out.device)
        if self.pos.numel() == 0:
            return
        self.cur = self.cur.detach()
        self.out[self.pos] = self.cur
        if final_check:  # score the last iterates once
            with torch.no_grad():
                logits = self.model(self.cur)
                self.hit[self.pos] = self.cfg.won(logits, self.y)
                loss = self.cfg.loss_fn()(logits, self.y, targeted=self.cfg.targeted,
                                          true=self.true)
                self.final_loss[self.pos] = loss.float()


def run_attack(model: nn.Module, x: torch.Tensor, y: torch.Tensor, cfg: AttackConfig,
               generator: torch.Generator | None = None, *,
               true: torch.Tensor | None = None) -> AttackResult:
    """Attack ``model`` at ``(x, y)`` (``y``: targets when ``cfg.targeted``).

    :param true: the true labels of a targeted attack; needed by the targeted DLR loss only.
    """
    if not isinstance(model, nn.Module):
        raise NoGradientError(
            f"gradient attacks need a torch.nn.Module, got {type(model).__name__}"
        )
    check_inputs(x, y, cfg.bounds, classify=cfg.classifies)
    n = x.shape[0]
    if n == 0 or cfg.steps == 0:
        return AttackResult(x.detach().clone(), torch.zeros(n, dtype=torch.int64), None)
    # class indices for the built-in losses; a custom loss gets its targets as they are
    y = y.to(device=x.device, dtype=torch.int64) if cfg.classifies else y.to(x.device)
    if true is not None:
        true = true.to(device=x.device, dtype=torch.int64)
    elif cfg.targeted and cfg.loss == "dlr":
        raise DataError("the targeted DLR loss needs the true labels: pass true= to run_attack")
    with attack_state(model, x, exact=cfg.exact) as fmt:
        x0 = x.detach().clone().contiguous(memory_format=fmt)
        best = x0.clone()
        evals = torch.zeros(n, dtype=torch.int64, device=x.device)
        hit = torch.zeros(n, dtype=torch.bool, device=x.device)
        best_loss = torch.full((n,), -float("inf"), device=x.device)
        todo = torch.arange(n, device=x.device)
        checked = cfg.early_stop or cfg.restarts > 1
        for r in range(cfg.restarts):
            if cfg.early_stop and r > 0:
                todo = torch.nonzero(~hit).flatten()  # only the survivors get another start
                if todo.numel() == 0:
                    break
            run = _Run(model, x0[todo].contiguous(memory_format=fmt), y[todo], cfg, generator,
                       check_gradient=r == 0, true=None if true is None else true[todo])
            run.run(final_check=cfg.restarts > 1)
            evals[todo] += run.evals
            if r == 0:
                best[todo], hit[todo] = run.out, run.hit
                if run.final_loss is not None:
                    best_loss[todo] = run.final_loss
                continue
            # worst case per sample: a misclassified iterate first, then the higher loss
            new_hit, new_loss = run.hit, run.final_loss
            better = (new_hit & ~hit[todo]) | ((new_hit == hit[todo]) & (new_loss > best_loss[
                todo]))
            idx = todo[better]
            best[idx], hit[idx], best_loss[idx] = run.out[better], new_hit[better], new_loss[
                better]
    x_adv = best.contiguous(memory_format=_format_of(x))  # the caller's format back
    return AttackResult(x_adv, evals, hit if checked else None)
