"""APGD: Auto-PGD (Croce & Hein 2020, "Reliable evaluation of adversarial robustness with an
ensemble of diverse parameter-free attacks", ICML).

PGD without a step size to tune: the step starts at ``2 ε`` and is halved at checkpoints
``w_j`` (after ``0.22, 0.22 - 0.03, ...`` of the budget, at least ``0.06`` apart) where, since
the last checkpoint, the loss rose in fewer than ``rho`` of the steps, or where the step was not
halved last time and the best loss has not improved. Halving restarts from the best point found.
Each step mixes the projected gradient step with the previous move (momentum ``alpha = 0.75``).

Losses: any of :mod:`robustkit_attacks.losses` (the paper's are ``ce`` and ``dlr``); targeted
runs use the targeted form (for ``dlr`` the paper's eq. 7, which needs the true labels).
Two targeted forms:

- user targets (``target = "random" | ...``): success is being classified as the target;
- AutoAttack's APGD-T (``n_target_classes = k``): for each of the ``k`` classes scored highest
  after the true one on the clean input, a targeted run towards it; success is misclassification.

In evaluation mode a sample leaves the batch at its first misclassified iterate (the
reference's result is the same: its steps and checkpoints are per sample); generation mode runs
every iteration on every sample. Only samples not yet broken get another restart. Each sample's
result is a successful iterate where there is one, else the iterate of highest loss.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import nn

from robustkit.errors import DataError
from robustkit_attacks.engine import _check_logits, _format_of, check_inputs
from robustkit_attacks.errors import NoGradientError
from robustkit_attacks.losses import LossFn, get_loss
from robustkit_attacks.model_state import attack_state

MOMENTUM = 0.75  # alpha of the paper
_TINY = 1e-12  # Croce & Hein's guard in normalisations


@dataclass(frozen=True)
class APGDConfig:
    """One APGD attack: budget, loss and how success is judged."""

    eps: float
    norm: str = "linf"
    steps: int = 100
    restarts: int = 1
    loss: str | LossFn = "ce"
    temperature: float = 1.0
    rho: float = 0.75
    eot: int = 1
    bounds: tuple[float, float] = (0.0, 1.0)
    early_stop: bool = True

    def checkpoints(self) -> tuple[int, int, int]:
        """(first period, its decrease, minimal period) in iterations, as in the paper."""
        n = self.steps
        return max(int(0.22 * n), 1), max(int(0.03 * n), 1), max(int(0.06 * n), 1)


@dataclass
class APGDResult:
    """Adversarial examples; per-sample success and forward-backward passes (EOT draws count)."""

    x_adv: torch.Tensor
    fooled: torch.Tensor
    gradient_evaluations: torch.Tensor


def _view(t: torch.Tensor, like: torch.Tensor) -> torch.Tensor:
    return t.view((-1,) + (1,) * (like.dim() - 1))


def _l2(t: torch.Tensor) -> torch.Tensor:
    return t.flatten(1).norm(p=2, dim=1)


class _Single:
    """One start of APGD on a batch; rows of the samples still attacked are kept compacted."""

    def __init__(self, model: nn.Module, x0: torch.Tensor, labels: torch.Tensor,
                 true: torch.Tensor, reach_target: bool, targeted_loss: bool,
                 cfg: APGDConfig, gen: torch.Generator | None):
        self.model, self.cfg = model, cfg
        self.loss_fn = get_loss(cfg.loss, temperature=cfg.temperature) if isinstance(
            cfg.loss, str) else cfg.loss
        self.reach_target, self.targeted_loss = reach_target, targeted_loss
        n = x0.shape[0]
        self.out = x0.clone()  # result per sample (original order)
        self.won = torch.zeros(n, dtype=torch.bool, device=x0.device)
        self.best_loss_out = torch.full((n,), -math.inf, device=x0.device)
        self.evals = torch.zeros(n, dtype=torch.int64, device=x0.device)
        self.pos = torch.arange(n, device=x0.device)
        self.x0, self.labels, self.true = x0, labels, true
        self.cur = self._start(x0, gen)

    def _start(self, x0: torch.Tensor, gen: torch.Generator | None) -> torch.Tensor:
        """A random point on the sphere of the ball (the reference's start)."""
        lo, hi = self.cfg.bounds
        gdev = gen.device if gen is not None else torch.device("cpu")
        if self.cfg.norm == "linf":
            t = torch.rand(x0.shape, generator=gen, dtype=x0.dtype, device=gdev) * 2 - 1
            t = t.to(x0.device)
            t = t / _view(t.abs().flatten(1).amax(1) + _TINY, t)
        else:
            t = torch.randn(x0.shape, generator=gen, dtype=x0.dtype, device=gdev).to(x0.device)
            t = t / _view(_l2(t) + _TINY, t)
        return (x0 + self.cfg.eps * t).clamp(lo, hi).contiguous(memory_format=_format_of(x0))

    def _project(self, z: torch.Tensor) -> torch.Tensor:
        lo, hi = self.cfg.bounds
        eps = self.cfg.eps
        if self.cfg.norm == "linf":
            return torch.min(torch.max(z, self.x0 - eps), self.x0 + eps).clamp(lo, hi)
        d = z - self.x0
        norm = _l2(d)
        scale = torch.clamp(eps / (norm + _TINY), max=1.0)
        return (self.x0 + d * _view(scale, d)).clamp(lo, hi)

    def _evaluate(self, x: torch.Tensor, first: bool):
        """Loss, averaged gradient over ``eot`` draws, and success, at ``x``."""
        grad = torch.zeros_like(x)
        loss_sum = torch.zeros(x.shape[0], device=x.device)
        logits = None
        for _ in range(self.cfg.eot):
            xin = x.detach().requires_grad_(True)
            logits = self.model(xin)
            if first:
                logits = _check_logits(logits, self.true)
            loss = self.loss_fn(logits, self.labels, targeted=self.targeted_loss, true=self.true)
            (g,) = torch.autograd.grad(loss.sum(), (xin,))
            grad += g
            loss_sum += loss.detach().float()
        self.evals[self.pos] += self.cfg.eot
        pred = logits.detach().argmax(1)
        won = pred == self.labels if self.reach_target else pred != self.true
        return loss_sum / self.cfg.eot, grad / self.cfg.eot, won

    def _record(self, x: torch.Tensor, loss: torch.Tensor, won: torch.Tensor) -> None:
        """Keep each sample's worst case: a successful iterate first, then the highest loss."""
        new_win = won & ~self.won[self.pos]
        better = ~self.won[self.pos] & (loss > self.best_loss_out[self.pos])
        take = new_win | better
        idx = self.pos[take]
        self.out[idx] = x[take].detach()
        self.best_loss_out[idx] = loss[take]
        self.won[self.pos[won]] = True

    def run(self) -> None:
        cfg = self.cfg
        loss, grad, won = self._evaluate(self.cur, first=True)
        if not bool(grad.any()) and bool((loss != 0).any()) and cfg.eot == 1:
            raise NoGradientError(
                "APGD: the loss gradient with respect to the inputs is exactly zero for every "
                "input (a non-differentiable step such as rounding or argmax masks it); a "
                "gradient attack would report a false robust accuracy. Use the square attack "
                "or BPDA (Athalye et al. 2018)")
        self._record(self.cur, loss, won)
        n = self.cur.shape[0]
        dev = self.cur.device
        state = {
            "x_best": self.cur.clone(), "grad_best": grad.clone(), "loss_best": loss.clone(),
            "step": torch.full((n,), 2.0 * cfg.eps, device=dev, dtype=self.cur.dtype),
            "prev": self.cur.clone(), "loss_last_check": loss.clone(),
            "reduced_last": torch.ones(n, dtype=torch.bool, device=dev),
        }
        # loss of every iterate since the start (row 0: the start), for the oscillation test
        history = [loss.clone()]
        period, decrease, minimum = cfg.checkpoints()
        since_check = 0
        cur = self.cur
        for i in range(cfg.steps):
            if cfg.early_stop and bool(won.any()):
                keep = ~won
                if not bool(keep.any()):
                    return
                cur, grad = cur[keep], grad[keep]
                history = [h[keep] for h in history[-(period + 1):]]
                for key in state:
                    state[key] = state[key][keep]
                self.pos, self.x0 = self.pos[keep], self.x0[keep]
                self.labels, self.true = self.labels[keep], self.true[keep]
            cur = self._step(cur, grad, state, MOMENTUM if i > 0 else 1.0)
            loss, grad, won = self._evaluate(cur, first=False)
            self._record(cur, loss, won)
            history.append(loss.clone())
            improved = loss > state["loss_best"]
            state["x_best"][improved] = cur[improved]
            state["grad_best"][improved] = grad[improved]
            state["loss_best"] = torch.where(improved, loss, state["loss_best"])
            since_check += 1
            if since_check == period:
                ups = sum((history[-j] > history[-j - 1]).float() for j in range(1, period + 1))
                halve = ups <= period * cfg.rho
                stalled = ~state["reduced_last"] & (state["loss_last_check"] >= state[
                    "loss_best"])
                halve = halve | stalled
                state["reduced_last"] = halve
                state["loss_last_check"] = state["loss_best"].clone()
                if bool(halve.any()):
                    state["step"] = torch.where(halve, state["step"] / 2, state["step"])
                    cur = cur.clone()
                    cur[halve] = state["x_best"][halve]
                    grad[halve] = state["grad_best"][halve]
                period = max(period - decrease, minimum)
                since_check = 0

    def _step(self, cur: torch.Tensor, grad: torch.Tensor, state: dict,
              a: float) -> torch.Tensor:
        """``z = P(x + eta * s(grad))``, then ``P(x + a (z - x) + (1 - a)(x - x_prev))``."""
        move = cur - state["prev"]
        state["prev"] = cur.clone()
        step = _view(state["step"], cur)
        if self.cfg.norm == "linf":
            direction = grad.sign()
        else:
            direction = grad / _view(_l2(grad) + _TINY, grad)
        z = self._project(cur + step * direction)
        return self._project(cur + a * (z - cur) + (1 - a) * move).detach()


def apgd(model: nn.Module, x: torch.Tensor, y: torch.Tensor, cfg: APGDConfig, *,
         targets: torch.Tensor | None = None, n_target_classes: int = 0,
         generator: torch.Generator | None = None) -> APGDResult:
    """Run APGD on ``(x, y)``; ``y`` are the true labels.

    :param targets: user-chosen targets: success is being classified as the target.
    :param n_target_classes: AutoAttack's APGD-T: attack towards each of the ``k`` classes
        the clean input scores highest after its top one, in turn (success: misclassification;
        ``k`` is capped at classes - 1). Mutually exclusive with ``targets``.
    """
    if not isinstance(model, nn.Module):
        raise NoGradientError(f"APGD needs a torch.nn.Module, got {type(model).__name__}")
    check_inputs(x, y, cfg.bounds)
    if targets is not None and n_target_classes:
        raise DataError("APGD: give target labels or n_target_classes, not both")
    n = x.shape[0]
    y = y.to(device=x.device, dtype=torch.int64)
    evals = torch.zeros(n, dtype=torch.int64, device=x.device)
    if n == 0 or cfg.steps == 0:
        return APGDResult(x.detach().clone(), torch.zeros(n, dtype=torch.bool), evals)
    with attack_state(model, x, exact=False) as fmt:
        x0 = x.detach().clone().contiguous(memory_format=fmt)
        best = x0.clone()
        won = torch.zeros(n, dtype=torch.bool, device=x.device)
        best_loss = torch.full((n,), -math.inf, device=x.device)
        clean = _check_logits(model(x0.detach().requires_grad_(True)), y).detach()
        if cfg.early_stop:  # a sample already misclassified (or on its target) is not attacked
            pred = clean.argmax(1)
            won = pred == targets.to(x.device) if targets is not None else pred != y
        runs: list[tuple[torch.Tensor, bool, bool]] = []
        if targets is not None:
            runs.append((targets.to(device=x.device, dtype=torch.int64), True, True))
        elif n_target_classes:
            # AutoAttack's targets: the classes ranked 2nd, 3rd, ... on the clean input
            order = clean.sort(dim=1).indices
            for rank in range(2, min(n_target_classes, clean.shape[1] - 1) + 2):
                runs.append((order[:, -rank], False, True))
        else:
            runs.append((y, False, False))
        for labels, reach, targeted_loss in runs:
            for _ in range(cfg.restarts):
                todo = torch.nonzero(~won).flatten()
                if todo.numel() == 0:
                    break
                single = _Single(model, x0[todo], labels[todo], y[todo], reach, targeted_loss,
                                 cfg, generator)
                single.run()
                evals[todo] += single.evals
                better = single.won | (single.best_loss_out > best_loss[todo])
                idx = todo[better]
                best[idx] = single.out[better]
                best_loss[idx] = single.best_loss_out[better]
                won[todo[single.won]] = True
    return APGDResult(best.contiguous(memory_format=_format_of(x)), won.cpu(), evals.cpu())
