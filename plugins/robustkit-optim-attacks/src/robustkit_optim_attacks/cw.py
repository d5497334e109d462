"""Carlini & Wagner (2017, IEEE S&P) L2 attack, batched with a constant ``c`` per sample.

Change of variables ``x' = lo + (hi - lo) (tanh(w) + 1) / 2`` keeps every iterate in the data
bounds without clipping. Adam minimises
``||x' - x||_2^2 + c * max(Z_y(x') - max_{i != y} Z_i(x'), -kappa)`` over ``w`` (``Z``: logits).
An outer binary search halves the interval around each sample's ``c`` (or multiplies ``c`` by
ten while no success was found) and the least distorted success over all steps is returned.
"""

from __future__ import annotations

import math

import torch
from torch import nn

from robustkit.data import PerturbContext
from robustkit.errors import DataError, PluginError
from robustkit.targets import choose_targets
from robustkit_optim_attacks.params import CWL2Params
from robustkit_optim_attacks.scores import check_batch, margin, reached

_UPPER_START = 1e10  # "no upper bound on c yet", as in the reference implementation



class CarliniWagnerL2:
    """C&W L2, untargeted or targeted. Needs the differentiable model
    (``needs="gradients"``)."""

    name = "cw-l2"

    def __init__(self, params: CWL2Params):
        self.p = params

    def _logits(self, model: nn.Module, x: torch.Tensor, classes: int) -> torch.Tensor:
        out = model(x)
        if out.shape != (x.shape[0], classes):
            raise DataError(
                f"{self.name}: the model returned outputs of shape {tuple(out.shape)} for "
                f"{x.shape[0]} inputs; expected ({x.shape[0]}, {classes})")
        if not torch.isfinite(out).all():
            raise DataError(f"{self.name}: the model returned NaN or infinite logits; "
                            "the attack stopped")
        return out

    def perturb(self, x: torch.Tensor, y: torch.Tensor, ctx: PerturbContext) -> torch.Tensor:
        model = ctx.model
        if not isinstance(model, nn.Module):
            raise PluginError(f"{self.name} needs the model's gradients; register it with "
                              "needs='gradients' so the pipeline passes the module")
        classes = check_batch(x, y, ctx.info.num_classes, self.name)
        p = self.p
        targets = choose_targets(model, x, y, p.target, ctx.generator, classes)
        targeted = targets is not None
        labels = targets if targeted else y
        lo, hi = ctx.info.bounds
        n = x.shape[0]
        x = x.detach()
        # atanh of the inputs, shrunk slightly so that inputs on the bounds stay finite
        unit = ((x - lo) / (hi - lo) * 2 - 1).clamp(-1, 1) * (1 - 1e-6)
        w0 = torch.atanh(unit)
        const = torch.full((n,), p.initial_const, dtype=x.dtype, device=x.device)
        lower = torch.zeros_like(const)
        upper = torch.full_like(const, _UPPER_START)
        best_l2 = torch.full((n,), math.inf, device=x.device)
        best = x.clone()
        check_every = max(1, p.max_iterations // 10)
        with torch.enable_grad():
            for _ in range(p.binary_search_steps):
                found = torch.zeros(n, dtype=torch.bool, device=x.device)
                w = w0.clone().requires_grad_(True)
                opt = torch.optim.Adam([w], lr=p.learning_rate)
                prev = torch.full((n,), math.inf, device=x.device)
                for it in range(p.max_iterations):
                    adv = lo + (hi - lo) * (torch.tanh(w) + 1) / 2
                    logits = self._logits(model, adv, classes)
                    l2sq = (adv - x).pow(2).flatten(1).sum(1)
                    m = margin(logits, labels, targeted)
                    loss = l2sq + const * m.clamp_min(-p.confidence)
                    # the gradient w.r.t. w only: the model's parameters get no .grad
                    (w.grad,) = torch.autograd.grad(loss.sum(), w)
                    opt.step()
                    with torch.no_grad():
                        ok = reached(m, p.confidence)
                        l2 = l2sq.detach().sqrt()
                        improve = ok & (l2 < best_l2)
                        best_l2 = torch.where(improve, l2, best_l2)
                        best[improve] = adv.detach()[improve]
                        found |= ok
                        if p.abort_early and (it + 1) % check_every == 0:
                            # stop once no sample's loss fell by 0.01% since the last check
                            stalled = loss.detach() > prev - 1e-4 * prev.abs()
                            if stalled.all():
                                break
                            prev = loss.detach()
                # binary search on c, each sample on its own
                upper = torch.where(found, torch.minimum(upper, const), upper)
                lower = torch.where(found, lower, torch.maximum(lower, const))
                bounded = upper < _UPPER_START
                const = torch.where(bounded, (lower + upper) / 2, const * 10)
        ctx.stats["attack_succeeded"] = (best_l2 < math.inf).cpu()
        if targeted:
            ctx.stats["target"] = labels.cpu()
        return best.detach()
