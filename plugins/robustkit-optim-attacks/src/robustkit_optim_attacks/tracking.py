"""Bookkeeping shared by the black-box attacks: the objective, the best adversarial example
found so far, the first success and the query budget of every sample."""

from __future__ import annotations

import math
from typing import Any

import torch

from robustkit.data import PerturbContext
from robustkit.targets import choose_targets
from robustkit_optim_attacks.scores import (
    CountingOracle,
    as_log_probs,
    check_batch,
    is_adversarial,
    margin_loss,
)


class Tracker:
    """Scores candidate inputs and remembers, per sample, the least distorted success.

    The objective is ZOO's ``||x' - x||_2^2 + c * max(log p_y - max_{i!=y} log p_i, -kappa)``.
    Every scored candidate counts as a query and may become the returned example, since its
    scores are real model outputs.

    With ``search_steps > 1`` the refinement after the first success is split into that many
    equal stages, and c is binary-searched per sample between stages as in Carlini & Wagner
    (2017) and AutoZOOM's fine-tuning: a stage that scored an adversarial candidate lowers c
    (less weight on misclassification, so the search moves closer to the input), a stage that
    scored none raises it (×10 until a failing c is known, then bisection).
    """

    def __init__(self, x: torch.Tensor, y: torch.Tensor, oracle: CountingOracle, *,
                 const: float, confidence: float, max_queries: int, refine_queries: int,
                 bounds: tuple[float, float], search_steps: int = 1,
                 targets: torch.Tensor | None = None):
        self.x, self.oracle = x, oracle
        # targeted: success is reaching the target, and the loss pulls towards it
        self.targeted = targets is not None
        self.labels = targets if targets is not None else y
        self.confidence = confidence
        self.max_queries, self.refine_queries = max_queries, refine_queries
        self.lo, self.hi = bounds
        n = x.shape[0]
        self.const = torch.full((n,), float(const), dtype=torch.float64)
        self.best = x.clone()
        self.best_l2 = torch.full((n,), math.inf, dtype=torch.float64)
        self.first_success = torch.full((n,), math.nan, dtype=torch.float64)
        self.search_steps = search_steps
        self._stage = torch.zeros(n, dtype=torch.long)
        self._adv_in_stage = torch.zeros(n, dtype=torch.bool)
        self._c_low = torch.zeros(n, dtype=torch.float64)
        self._c_high = torch.full((n,), math.inf, dtype=torch.float64)

    @classmethod
    def start(cls, name: str, p: Any, x: torch.Tensor, y: torch.Tensor,
              ctx: PerturbContext) -> Tracker:
        """The tracker of black-box attack ``name`` with the params every one shares (budget,
        c, kappa, target, binary search): checks the batch, puts ``ctx.model`` behind a
        :class:`CountingOracle` and chooses the targets."""
        classes = check_batch(x, y, ctx.info.num_classes, name)
        oracle = CountingOracle(ctx.model, x.shape[0], classes, name)
        # least-likely looks at the clean scores: one query per sample, charged to it
        owners = torch.arange(x.shape[0])
        targets = choose_targets(lambda t: oracle(t, owners), x, y, p.target, ctx.generator,
                                 classes)
        return cls(x, y, oracle, const=p.const, confidence=p.confidence,
                   max_queries=p.max_queries, refine_queries=p.refine_queries,
                   bounds=ctx.info.bounds, search_steps=p.binary_search_steps,
                   targets=targets)

    @property
    def succeeded(self) -> torch.Tensor:
        return self.best_l2 < math.inf

    def budget(self) -> torch.Tensor:
        """Queries each sample may still spend: its budget, or its refinement after success."""
        limit = torch.full_like(self.first_success, float(self.max_queries))
        done = self.succeeded
        limit[done] = torch.minimum(limit[done], self.first_success[done] + self.refine_queries)
        return (limit - self.oracle.queries.to(torch.float64)).clamp_min(0)

    def candidates(self, idx: torch.Tensor, delta: torch.Tensor) -> torch.Tensor:
        """Inputs ``clip(x + delta)`` for samples ``idx``; ``delta`` is (n, k, *input_shape)."""
        return (self.x[idx][:, None] + delta).clamp(self.lo, self.hi)

    def score(self, idx: torch.Tensor, cand: torch.Tensor) -> torch.Tensor:
        """Objective of candidates ``cand`` (n, k, *shape) for samples ``idx``: shape (n, k)."""
        n, k = cand.shape[:2]
        flat = cand.reshape(n * k, *cand.shape[2:])
        owner = idx.repeat_interleave(k)
        log_p = as_log_probs(self.oracle(flat, owner))
        y = self.labels[idx].repeat_interleave(k)
        dist = (flat - self.x[owner]).to(torch.float64).pow(2).flatten(1).sum(1)
        loss = dist + self.const[owner] * margin_loss(log_p, y, self.confidence, self.targeted)
        adv = is_adversarial(log_p, y, self.confidence, self.targeted).view(n, k)
        self._adv_in_stage[idx] |= adv.any(1)
        self._remember(idx, cand, dist.view(n, k), adv)
        return loss.view(n, k)

    def next_stages(self) -> torch.Tensor:
        """Samples whose binary-search stage has just ended, with c updated for the next one;
        the attack should restart their optimiser moments (the objective changed)."""
        if self.search_steps <= 1 or self.refine_queries == 0:
            return torch.zeros(0, dtype=torch.long)
        length = max(1, self.refine_queries // self.search_steps)
        spent = self.oracle.queries.to(torch.float64) - self.first_success
        stage = torch.where(self.succeeded, (spent // length).clamp(0, self.search_steps - 1),
                            torch.zeros_like(spent)).long()
        ended = (stage > self._stage).nonzero().squeeze(1)
        if ended.numel() == 0:
            return ended
        won = self._adv_in_stage[ended]
        c = self.const[ended]
        high = torch.where(won, torch.minimum(self._c_high[ended], c), self._c_high[ended])
        low = torch.where(won, self._c_low[ended], torch.maximum(self._c_low[ended], c))
        bracketed = torch.isfinite(high)
        self.const[ended] = torch.where(bracketed, (low + high) / 2, c * 10)
        self._c_low[ended], self._c_high[ended] = low, high
        self._stage[ended] = stage[ended]
        self._adv_in_stage[ended] = False
        return ended

    def _remember(self, idx, cand, dist, adv) -> None:
        l2 = dist.sqrt().masked_fill(~adv, math.inf)
        l2_min, which = l2.min(1)
        better = l2_min < self.best_l2[idx]
        if not better.any():
            return
        rows = idx[better]
        new_first = rows[~torch.isfinite(self.best_l2[rows])]
        # the first success is stamped with the queries spent up to and including this call
        self.first_success[new_first] = self.oracle.queries[new_first].to(torch.float64)
        self.best_l2[rows] = l2_min[better]
        self.best[rows] = cand[better.nonzero().squeeze(1), which[better]]

    def finish(self, stats: dict) -> torch.Tensor:
        """Fill ``stats`` and return the adversarial examples (clean inputs where none found)."""
        stats["queries"] = self.oracle.queries.clone()
        stats["queries_to_success"] = self.first_success.clone()
        stats["attack_succeeded"] = self.succeeded.clone()
        stats["const"] = self.const.clone()  # each sample's final c
        if self.targeted:
            stats["target"] = self.labels.clone()
        return self.best
