"""The perturbation object behind every ``art-*`` name: wraps the model, runs ART's attack.

ART works on NumPy arrays and draws its randomness from NumPy's and Python's global generators;
both are seeded from the run's perturbation seed and restored afterwards, so a run is
reproducible and leaves no trace on the caller's random state.
"""

from __future__ import annotations

import random
from contextlib import contextmanager
from typing import Any

import numpy as np
import torch
from torch import nn

from robustkit.data import PerturbContext, ScoreOracle
from robustkit.errors import PluginError
from robustkit_art.estimators import gradient_estimator, score_estimator
from robustkit_art.params import entries, to_art_kwargs


@contextmanager
def seeded(seed: int):
    """Seed NumPy's, Python's and torch's global generators; restore them on exit."""
    np_state, py_state = np.random.get_state(), random.getstate()
    np.random.seed(seed % 2**32)
    random.seed(seed)
    try:
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed % 2**63)
            yield
    finally:
        np.random.set_state(np_state)
        random.setstate(py_state)


class ARTAttack:
    """``art-<attack>``: ART's attack class run on the pipeline's model.

    :param name: the catalog name (``art-pgd``).
    :param params: the validated params model.
    """

    def __init__(self, name: str, params: Any):
        self.name = name
        self.entry = entries()[name]
        self.params = params
        self._estimator: tuple[int, Any] | None = None

    def _wrap(self, ctx: PerturbContext) -> Any:
        """The ART estimator for ``ctx.model``, built once per model."""
        if self._estimator is not None and self._estimator[0] == id(ctx.model):
            return self._estimator[1]
        info = ctx.info
        task = info.task.value
        args = (task, tuple(info.input_shape), tuple(map(float, info.bounds)), info.num_classes,
                ctx.device)
        if isinstance(ctx.model, nn.Module):
            est = gradient_estimator(ctx.model, *args)
        elif isinstance(ctx.model, ScoreOracle):
            est = score_estimator(ctx.model, *args, attack_class=self.entry["class"])
        else:
            raise PluginError(f"{self.name}: expected the model or a ScoreOracle, got "
                              f"{type(ctx.model).__name__}; is it registered with needs?")
        self._estimator = (id(ctx.model), est)
        return est

    def _labels(self, y: torch.Tensor, ctx: PerturbContext, targeted: bool) -> np.ndarray:
        if ctx.info.task.value == "regression":
            return y.detach().cpu().numpy().astype(np.float32)
        labels = (y + 1) % ctx.info.num_classes if targeted else y
        return labels.detach().cpu().numpy().astype(np.int64)

    def perturb(self, x: torch.Tensor, y: torch.Tensor, ctx: PerturbContext) -> torch.Tensor:
        from art.attacks import evasion

        estimator = self._wrap(ctx)
        kwargs = to_art_kwargs(self.entry, self.params)
        attack = getattr(evasion, self.entry["class"])(estimator, **kwargs)
        x_np = x.detach().cpu().numpy().astype(np.float32)
        labels = self._labels(y, ctx, bool(kwargs.get("targeted")))
        with seeded(ctx.seed):
            if isinstance(ctx.model, ScoreOracle):
                x_adv = self._generate_counting(attack, x_np, labels, ctx)
            else:
                x_adv = attack.generate(x=x_np, y=labels)
        lo, hi = ctx.info.bounds
        # ART clips to clip_values itself; float32 rounding can still step just outside
        x_adv = np.clip(np.asarray(x_adv, dtype=np.float32), lo, hi)
        return torch.as_tensor(x_adv, dtype=x.dtype, device=x.device).reshape(x.shape)

    @staticmethod
    def _generate_counting(attack: Any, x: np.ndarray, labels: np.ndarray,
                           ctx: PerturbContext) -> np.ndarray:
        """Run a query attack one sample at a time, so each sample's queries are counted
        (``ctx.stats["queries"]``): ART batches queries across samples and does not say whose
        they are. ZOO (batch size 1 by default) and the decision attacks loop over samples
        inside ART anyway."""
        oracle = ctx.model
        out = np.empty_like(x)
        queries = torch.zeros(x.shape[0], dtype=torch.int64)
        for i in range(x.shape[0]):
            before = oracle.total_queries
            out[i:i + 1] = attack.generate(x=x[i:i + 1], y=labels[i:i + 1])
            queries[i] = oracle.total_queries - before
        ctx.stats["queries"] = queries
        return out

    def __repr__(self) -> str:
        return f"ARTAttack({self.name!r}, {self.params!r})"
