"""Hyperparameter search within a budget of trials: an improved sparrow search (ISSA) and
random search, on any objective ``f(params: dict) -> float`` (lower is better).

Torch-free and model-agnostic: :func:`pipeline_objective` turns any registered model (its
params and the training config) into such an objective by training on a chronological
train/validation split of a data set's training part.

Sparrow search (Xue & Shen 2020) keeps a population of positions in [0, 1]^d (decoded into
params by the :class:`Space`). Producers (the best share) explore; scroungers follow the best
producer or, if starving (the worse half), fly elsewhere; a random share are "aware of
danger" and move toward the best or away from their place. The improvements follow Zhang
(2023) and the ISSA literature:

1. chaotic initialisation: a Tent map sequence spreads the first population more evenly than
   independent uniform draws;
2. an adaptive producer share, from ``producers_max`` down to ``producers_min`` over the
   iterations (explore first, exploit later);
3. Cauchy mutation of the best position each iteration, kept only if it improves (escapes
   local optima with its heavy tail).

Every objective evaluation counts against ``budget``; the search stops when it is spent, so
ISSA and random search compare at exactly the same number of trials.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from robustkit.errors import ParamsError


@dataclass(frozen=True)
class Dim:
    """One searched parameter: ``kind`` is ``float``, ``log`` (float, searched in log scale)
    or ``int``; ``choices`` makes it categorical (``low``/``high`` ignored)."""

    name: str
    low: float = 0.0
    high: float = 1.0
    kind: str = "float"
    choices: tuple[Any, ...] | None = None

    def decode(self, u: float) -> Any:
        u = min(max(float(u), 0.0), 1.0)
        if self.choices is not None:
            return self.choices[min(int(u * len(self.choices)), len(self.choices) - 1)]
        if self.kind == "log":
            return float(math.exp(math.log(self.low) + u * (math.log(self.high) -
                                                            math.log(self.low))))
        if self.kind == "int":
            return int(min(self.high, math.floor(self.low + u * (self.high - self.low + 1))))
        return float(self.low + u * (self.high - self.low))


@dataclass
class Space:
    dims: list[Dim]

    def __post_init__(self):
        for d in self.dims:
            if d.choices is None and not d.low < d.high:
                raise ParamsError(f"search dimension {d.name!r}: low {d.low} must be < high "
                                  f"{d.high}")
            if d.kind == "log" and d.low <= 0:
                raise ParamsError(f"search dimension {d.name!r}: a log scale needs low > 0")
            if d.kind not in ("float", "log", "int"):
                raise ParamsError(f"search dimension {d.name!r}: kind must be float, log or "
                                  f"int, got {d.kind!r}")

    def decode(self, u: np.ndarray) -> dict[str, Any]:
        return {d.name: d.decode(v) for d, v in zip(self.dims, u, strict=True)}

    def __len__(self) -> int:
        return len(self.dims)


@dataclass
class SearchResult:
    best_params: dict[str, Any]
    best_value: float
    history: list[tuple[dict[str, Any], float]] = field(default_factory=list)

    @property
    def trials(self) -> int:
        return len(self.history)

    def best_so_far(self) -> list[float]:
        return list(np.minimum.accumulate([v for _, v in self.history]))


class _Budget:
    """Counts evaluations; raises StopIteration when the budget is spent."""

    def __init__(self, objective: Callable[[dict], float], space: Space, budget: int):
        if budget < 1:
            raise ParamsError(f"budget must be >= 1 trial, got {budget}")
        self.objective, self.space, self.budget = objective, space, budget
        self.history: list[tuple[dict[str, Any], float]] = []

    def __call__(self, u: np.ndarray) -> float:
        if len(self.history) >= self.budget:
            raise StopIteration
        params = self.space.decode(u)
        value = float(self.objective(params))
        if not math.isfinite(value):
            value = math.inf  # a diverged trial is the worst, not a crash
        self.history.append((params, value))
        return value

    def result(self) -> SearchResult:
        best = min(self.history, key=lambda h: h[1])
        return SearchResult(best[0], best[1], self.history)


def random_search(objective: Callable[[dict], float], space: Space, budget: int,
                  seed: int = 0) -> SearchResult:
    """``budget`` independent uniform draws of the space."""
    rng = np.random.default_rng(seed)
    run = _Budget(objective, space, budget)
    for _ in range(budget):
        run(rng.random(len(space)))
    return run.result()


def tent_sequence(count: int, dims: int, rng: np.random.Generator, a: float = 0.7) -> np.ndarray:
    """Tent-map chaotic points in [0, 1]^dims: z <- z / a if z < a else (1 - z) / (1 - a)."""
    z = rng.random(dims) * 0.98 + 0.01
    out = np.empty((count, dims))
    for i in range(count):
        # skip a few iterations between points: successive tent values are correlated
        for _ in range(3):
            z = np.where(z < a, z / a, (1 - z) / (1 - a))
            z = np.where((z <= 1e-6) | (z >= 1 - 1e-6), rng.random(dims), z)
        out[i] = z
    return out


def issa(objective: Callable[[dict], float], space: Space, budget: int, seed: int = 0, *,
         population: int = 5, producers_max: float = 0.5, producers_min: float = 0.2,
         aware: float = 0.2, safety: float = 0.8, mutate: bool = True,
         contract_to: str = "best", init: str = "tent") -> SearchResult:
    """Improved sparrow search with ``budget`` objective evaluations in total.

    ``contract_to`` is where producers contract when no alarm sounds: ``"best"`` (default),
    the population's best position, or ``"centre"``, the centre of the box, as this function
    did before 2026-11: that pulls every search toward the middle of each range and flatters
    ISSA on objectives whose optimum sits there (docs/plugins/timeseries.md measures it).
    ``init="uniform"`` draws the first population uniformly instead of from the Tent map (the
    ablation of improvement 1).
    """
    if population < 2:
        raise ParamsError(f"issa needs a population of at least 2, got {population}")
    if contract_to not in ("best", "centre"):
        raise ParamsError(f"issa: contract_to must be 'best' or 'centre', got {contract_to!r}")
    if init not in ("tent", "uniform"):
        raise ParamsError(f"issa: init must be 'tent' or 'uniform', got {init!r}")
    rng = np.random.default_rng(seed)
    run = _Budget(objective, space, budget)
    d = len(space)
    pop = min(population, budget)
    # iterations the budget allows: each costs a population of moves plus one mutation trial
    per_iter = pop + (1 if mutate else 0)
    iters = max(1, (budget - pop) // per_iter)
    x = tent_sequence(pop, d, rng) if init == "tent" else rng.random((pop, d))
    try:
        fit = np.array([run(u) for u in x])
        for it in range(iters):
            order = np.argsort(fit)
            x, fit = x[order], fit[order]
            best, worst = x[0].copy(), x[-1].copy()
            share = producers_max - (producers_max - producers_min) * it / max(iters - 1, 1)
            n_prod = max(1, int(round(share * pop)))
            new = x.copy()
            r2 = rng.random()
            for i in range(n_prod):  # producers
                if r2 < safety and (i > 0 or contract_to == "centre"):
                    # SSA's shrink x * exp(-i / (alpha T)) pulls every parameter to its lower
                    # bound in [0, 1] coordinates; we contract about the best position instead
                    # (the centre of the box would bias the search toward mid-range values)
                    shrink = math.exp(-(i + 1) / (rng.random() * iters + 1e-12))
                    centre = best if contract_to == "best" else 0.5
                    new[i] = centre + (x[i] - centre) * shrink
                else:  # the alarm, or the best producer itself: a Gaussian step
                    new[i] = x[i] + rng.normal() * np.ones(d) * 0.1
            fresh = tent_sequence(pop, d, rng)
            for i in range(n_prod, pop):  # scroungers
                if i >= pop // 2 + 1 and i > n_prod:  # starving: fly elsewhere
                    # SSA's Q exp((x_w - x_i) / i^2) assumes a box centred on the origin; in
                    # [0, 1] it lands on the faces, so the starving fly to a fresh chaotic point
                    new[i] = fresh[i]
                else:
                    a = rng.choice([-1.0, 1.0], size=d)
                    new[i] = new[0] + np.abs(x[i] - new[0]) * a / d
            n_aware = max(1, int(round(aware * pop)))
            for i in rng.choice(pop, size=n_aware, replace=False):  # danger-aware
                if fit[i] > fit[0]:
                    new[i] = best + rng.normal() * np.abs(new[i] - best)
                else:
                    # SSA divides by f_i - f_w, which makes the step depend on the objective's
                    # units (validation MSEs differ by 1e-4); use the gap relative to the
                    # population's range instead, so the step stays within |x - x_w|
                    k = rng.uniform(-1, 1)
                    gap = (fit[-1] - fit[i]) / (fit[-1] - fit[0] + 1e-12)
                    new[i] = new[i] + k * np.abs(new[i] - worst) / (1.0 + gap)
            new = np.clip(new, 0.0, 1.0)
            for i in range(pop):
                value = run(new[i])
                if value < fit[i]:  # greedy: a sparrow keeps its better place
                    x[i], fit[i] = new[i], value
            if mutate:
                j = int(np.argmin(fit))
                cand = np.clip(x[j] + 0.1 * rng.standard_cauchy(d), 0.0, 1.0)
                value = run(cand)
                if value < fit[j]:
                    x[j], fit[j] = cand, value
        # spend what the integer division left: Cauchy moves around the best
        while len(run.history) < budget:
            j = int(np.argmin(fit))
            cand = np.clip(x[j] + 0.1 * rng.standard_cauchy(d), 0.0, 1.0)
            value = run(cand)
            if value < fit[j]:
                x[j], fit[j] = cand, value
    except StopIteration:
        pass
    return run.result()


def pipeline_objective(dataset: str, model: str, *, dataset_params: dict | None = None,
                       fixed: dict | None = None, training: dict | None = None,
                       training_keys: tuple[str, ...] = ("lr", "epochs", "batch_size"),
                       dataset_keys: tuple[str, ...] = ("window",), val_fraction: float = 0.2,
                       seed: int = 0, registry=None) -> Callable[[dict], float]:
    """An objective for any registered model: validation MSE after training.

    Searched names in ``training_keys`` go to the training config, those in ``dataset_keys``
    to the data set's params (e.g. the window), the rest to the model's params. The last
    ``val_fraction`` of the training windows (chronologically) validates; the test split is
    never touched.
    """
    def objective(params: dict) -> float:
        import torch

        from robustkit import get_registry
        from robustkit.components import Kind
        from robustkit.config import TrainingConfig
        from robustkit.trainer import Trainer, predict

        reg = registry or get_registry()
        tr = dict(training or {})
        ds = dict(dataset_params or {})
        mp = dict(fixed or {})
        for k, v in params.items():
            (tr if k in training_keys else ds if k in dataset_keys else mp)[k] = v
        data = reg.get(Kind.DATASET, dataset).build(ds).load(seed)
        n = data.x_train.shape[0]
        cut = int(n * (1 - val_fraction))
        torch.manual_seed(seed)
        net = reg.get(Kind.MODEL, model).build(mp).build(data.info)
        trainer = Trainer(TrainingConfig(**tr), data.info.task, seed)
        trainer.fit(net, data.x_train[:cut], data.y_train[:cut])
        pred = predict(net, data.x_train[cut:])
        return float(((pred - data.y_train[cut:]) ** 2).mean())

    return objective
