"""The Square attack as a score-only pipeline perturbation and a Python API object."""

from __future__ import annotations

from typing import Any

import torch
from torch import nn

from robustkit.data import PerturbContext
from robustkit.errors import PluginError
from robustkit.targets import choose_targets
from robustkit_attacks.params import SquareParams
from robustkit_attacks.square import SquareConfig, SquareResult, square_attack
from robustkit_attacks.validate import check_bounds, validated


def module_scores(model: nn.Module):
    """A score function over a module (its logits, no graph), for the Python API and for
    attack ensembles that hold the model."""

    def scores(x: torch.Tensor) -> torch.Tensor:
        with torch.no_grad():
            return model(x)

    return scores


class Square:
    """Square attack (Andriushchenko et al. 2020), L-inf or L2, on scores only.

    In a pipeline it receives a score oracle (``needs="scores"``), so it runs on models given
    as ONNX or behind an API as well. ``Square(eps=0.1)(model, x, y)`` takes a module (only its
    outputs are read) or any function from inputs to scores.
    """

    name = "square"

    def __init__(self, params: SquareParams | None = None, /, **values: Any):
        if params is not None and values:
            raise TypeError("give either a params model or keyword params, not both")
        self.params = params if params is not None else validated(SquareParams, self.name,
                                                                  **values)

    def config(self, bounds: tuple[float, float]) -> SquareConfig:
        p = self.params
        return SquareConfig(eps=p.eps, norm=p.norm, max_queries=p.max_queries,
                            p_init=p.p_init, loss=p.loss, bounds=bounds)

    def run(self, model: Any, x: torch.Tensor, y: torch.Tensor, *,
            bounds: tuple[float, float] = (0.0, 1.0), targets: torch.Tensor | None = None,
            generator: torch.Generator | None = None,
            num_classes: int | None = None) -> SquareResult:
        scores = module_scores(model) if isinstance(model, nn.Module) else model
        if targets is None:
            targets = choose_targets(scores, x, y, self.params.target, generator, num_classes)
        return square_attack(scores, x, y, self.config(check_bounds(bounds)), targets=targets,
                             generator=generator, name=self.name)

    def __call__(self, model: Any, x: torch.Tensor, y: torch.Tensor, **options: Any
                 ) -> torch.Tensor:
        return self.run(model, x, y, **options).x_adv

    def perturb(self, x: torch.Tensor, y: torch.Tensor, ctx: PerturbContext) -> torch.Tensor:
        """The pipeline entry: ``ctx.model`` is a score oracle; fills the query statistics."""
        if isinstance(ctx.model, nn.Module) or not callable(ctx.model):
            raise PluginError(
                f"{self.name} is a black-box attack and needs a score function in ctx.model, "
                f"got {type(ctx.model).__name__}; register it with needs='scores'")
        targets = choose_targets(ctx.model, x, y, self.params.target, ctx.generator,
                                 ctx.info.num_classes)
        res = self.run(ctx.model, x, y, bounds=tuple(ctx.info.bounds), targets=targets,
                       generator=ctx.generator, num_classes=ctx.info.num_classes)
        queries = res.queries.clone()
        if self.params.target == "least-likely":
            queries += 1  # choosing the target looked at the clean scores once
        ctx.stats["queries"] = queries
        ctx.stats["queries_to_success"] = res.queries_to_success
        ctx.stats["attack_succeeded"] = res.fooled
        if targets is not None:
            ctx.stats["target"] = targets.cpu()
        return res.x_adv

    def __repr__(self) -> str:
        fields = ", ".join(f"{k}={v!r}" for k, v in self.params.model_dump().items())
        return f"Square({fields})"
