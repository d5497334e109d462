"""Square attack (Andriushchenko, Croce, Flammarion & Hein 2020, "Square Attack: a
query-efficient black-box adversarial attack via random search", ECCV).

Random search on scores only: each iteration changes one random square window of every sample
still robust, and keeps the change when it lowers the loss (the margin ``z_y - max_{i!=y} z_i``
by default) or misclassifies. The window's side follows the paper's schedule of ``p``, the share
of the image it covers: ``p_init`` halved at 10, 50, 200, 500, 1000, 2000, 4000, 6000 and 8000 of
10000 iterations (rescaled to the query budget, as AutoAttack does).

- L-inf: the start is vertical stripes of ``±ε``; a window gets one ``±2ε`` per channel, then
  the point is projected back into the ball and the data bounds.
- L2: the start is a grid of windows with the paper's "pseudo-Gaussian" pattern; an iteration
  moves the mass of a second random window into the first, so the perturbation stays on the
  sphere of radius ``ε`` (before clipping to the bounds, which only shortens it).

The model is only ever asked for scores. The margin is taken on log-probabilities when the
scores are probabilities (what a score oracle returns): it equals the logit margin. Queries are
counted per sample, the clean check included, and never exceed ``max_queries + 1``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import torch

from robustkit.errors import DataError, PluginError

ScoreFn = Callable[[torch.Tensor], torch.Tensor]
_TINY = 1e-30  # floor of probabilities before the log
_NORM_EPS = 1e-12  # guard of the reference's normalisations
# the paper's schedule of p: (iteration out of 10000 after which p is halved once more)
_HALVINGS = (10, 50, 200, 500, 1000, 2000, 4000, 6000, 8000)


@dataclass(frozen=True)
class SquareConfig:
    eps: float
    norm: str = "linf"
    max_queries: int = 5000
    p_init: float = 0.8
    loss: str = "margin"
    bounds: tuple[float, float] = (0.0, 1.0)


@dataclass
class SquareResult:
    """Adversarial examples and, per sample: success, queries spent, queries to success."""

    x_adv: torch.Tensor
    fooled: torch.Tensor
    queries: torch.Tensor
    queries_to_success: torch.Tensor


def p_at(iteration: int, cfg: SquareConfig) -> float:
    """Share of the image a window covers at ``iteration`` (the paper's schedule, rescaled)."""
    it = int(iteration / cfg.max_queries * 10000)
    return cfg.p_init / 2 ** sum(it > h for h in _HALVINGS)


def _rectangle(rows: int, cols: int) -> torch.Tensor:
    """Concentric rectangles weighted 1/(r+1)^2 around the centre, unit L2 norm."""
    out = torch.zeros(rows, cols, dtype=torch.float64)
    r0, c0 = rows // 2, cols // 2
    for r in range(max(r0, c0) + 1):
        out[max(r0 - r, 0):r0 + r + 1, max(c0 - r, 0):c0 + r + 1] += 1.0 / (r + 1) ** 2
    return out / out.pow(2).sum().sqrt().clamp_min(_NORM_EPS)


def pseudo_gaussian(s: int, gen: torch.Generator) -> torch.Tensor:
    """The paper's L2 window pattern: two rectangles of opposite sign, randomly transposed."""
    half = s // 2
    out = torch.zeros(s, s, dtype=torch.float64)
    if half:
        out[:half] = _rectangle(half, s)
    out[half:] = -_rectangle(s - half, s)
    out = out / out.pow(2).sum().sqrt().clamp_min(_NORM_EPS)
    if bool(torch.rand(1, generator=gen) > 0.5):
        out = out.t()
    return out


class _Scorer:
    """Queries the score function for some samples, counting queries per sample."""

    def __init__(self, scores: ScoreFn, n: int, name: str):
        self._scores, self.name = scores, name
        self.queries = torch.zeros(n, dtype=torch.int64)

    def __call__(self, x: torch.Tensor, owners: torch.Tensor) -> torch.Tensor:
        """Log-scores (float64): log-probabilities, or log-softmax of logits."""
        with torch.no_grad():
            s = self._scores(x.detach())
        if not isinstance(s, torch.Tensor) or s.dim() != 2 or s.shape[0] != x.shape[0]:
            shape = tuple(s.shape) if isinstance(s, torch.Tensor) else type(s).__name__
            raise DataError(f"{self.name}: the model returned scores of shape {shape} for "
                            f"{x.shape[0]} inputs; expected (inputs, classes)")
        if not torch.isfinite(s).all():
            raise DataError(f"{self.name}: the model returned NaN or infinite scores")
        self.queries.index_add_(0, owners.cpu(), torch.ones(owners.numel(), dtype=torch.int64))
        s = s.detach().to(torch.float64)
        if bool((s >= 0).all()) and bool(((s.sum(1) - 1).abs() < 1e-3).all()):
            return s.clamp_min(_TINY).log()
        return torch.log_softmax(s, dim=1)


def _margin_and_loss(logs: torch.Tensor, labels: torch.Tensor, targeted: bool, loss: str):
    """(margin: success when < 0, loss to decrease)."""
    own = logs.gather(1, labels[:, None]).squeeze(1)
    other = logs.scatter(1, labels[:, None], float("-inf")).amax(1)
    if targeted:
        return other - own, -own  # CE towards the target, as the reference
    m = own - other
    return m, (m if loss == "margin" else own)  # ce: minimise log p_y


class _Square:
    def __init__(self, score: _Scorer, x: torch.Tensor, labels: torch.Tensor, targeted: bool,
                 cfg: SquareConfig, gen: torch.Generator):
        self.score, self.x, self.labels = score, x, labels
        self.targeted, self.cfg, self.gen = targeted, cfg, gen
        n = x.shape[0]
        self.first = torch.full((n,), math.nan, dtype=torch.float64)

    def _signs(self, shape: tuple[int, ...]) -> torch.Tensor:
        u = torch.randint(0, 2, shape, generator=self.gen)
        return (u * 2 - 1).to(dtype=self.x.dtype, device=self.x.device)

    def _corners(self, n: int, s: int) -> tuple[torch.Tensor, torch.Tensor]:
        h, w = self.x.shape[2:]
        vh = torch.randint(0, h - s + 1, (n,), generator=self.gen).to(self.x.device)
        vw = torch.randint(0, w - s + 1, (n,), generator=self.gen).to(self.x.device)
        return vh, vw

    def _mask(self, vh: torch.Tensor, vw: torch.Tensor, s: int) -> torch.Tensor:
        h, w = self.x.shape[2:]
        r = torch.arange(h, device=self.x.device)[None, :]
        c = torch.arange(w, device=self.x.device)[None, :]
        rows = (r >= vh[:, None]) & (r < vh[:, None] + s)
        cols = (c >= vw[:, None]) & (c < vw[:, None] + s)
        return (rows[:, :, None] & cols[:, None, :])[:, None]  # (n, 1, h, w)

    def _clip(self, x_new: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
        lo, hi = self.cfg.bounds
        if self.cfg.norm == "linf":
            x_new = torch.min(torch.max(x_new, x - self.cfg.eps), x + self.cfg.eps)
        return x_new.clamp(lo, hi)

    def _start(self) -> torch.Tensor:
        n, c, h, w = self.x.shape
        eps = self.cfg.eps
        if self.cfg.norm == "linf":
            return self._clip(self.x + eps * self._signs((n, c, 1, w)), self.x)
        s = max(h // 5, 1)
        delta = torch.zeros_like(self.x)
        top = (h - s * (h // s)) // 2
        left = (w - s * (w // s)) // 2
        for i in range(top, h - s + 1, s):
            for j in range(left, w - s + 1, s):
                pattern = pseudo_gaussian(s, self.gen).to(self.x)
                delta[:, :, i:i + s, j:j + s] += pattern * self._signs((n, c, 1, 1))
        return self._clip(self.x + _unit(delta) * eps, self.x)

    def _propose(self, idx: torch.Tensor, best: torch.Tensor, it: int) -> torch.Tensor:
        n, c, h, w = self.x.shape
        x = self.x[idx]
        p = p_at(it, self.cfg)
        side = math.sqrt(p * h * w)
        eps = self.cfg.eps
        if self.cfg.norm == "linf":
            s = min(max(int(round(side)), 1), h, w)
            vh, vw = self._corners(idx.numel(), s)
            step = 2 * eps * self._signs((idx.numel(), c, 1, 1))
            return self._clip(torch.where(self._mask(vh, vw, s), best + step, best), x)
        s = max(int(round(side)), 3)
        s = min(s + (s % 2 == 0), h, w)
        delta = best - x
        vh, vw = self._corners(idx.numel(), s)
        vh2, vw2 = self._corners(idx.numel(), s)
        m1, m2 = self._mask(vh, vw, s), self._mask(vh2, vw2, s)
        win = _window(delta, vh, vw, s)
        win_norm = win.pow(2).sum((-2, -1), keepdim=True).sqrt()
        img_norm = _norm(delta).view(-1, 1, 1, 1)
        both_norm = _norm(delta * (m1 | m2)).view(-1, 1, 1, 1)
        pattern = pseudo_gaussian(s, self.gen).to(x)
        new = pattern * self._signs((idx.numel(), c, 1, 1)) + win / (_NORM_EPS + win_norm)
        budget = ((eps ** 2 - img_norm ** 2).clamp_min(0) / c + both_norm ** 2).sqrt()
        new = new / (_NORM_EPS + new.pow(2).sum((-2, -1), keepdim=True).sqrt()) * budget
        delta = delta.masked_fill(m2, 0.0)
        delta = _put_window(delta, vh, vw, new)
        return self._clip(x + _unit(delta) * eps, x)

    def run(self) -> torch.Tensor:
        n = self.x.shape[0]
        everyone = torch.arange(n, device=self.x.device)
        best = self._start()
        margin, loss = _margin_and_loss(self.score(best, everyone), self.labels, self.targeted,
                                        self.cfg.loss)
        self._stamp(everyone, margin)
        for it in range(self.cfg.max_queries - 1):
            idx = torch.nonzero(margin >= 0).flatten()
            if idx.numel() == 0:
                break
            x_new = self._propose(idx, best[idx], it)
            m_new, l_new = _margin_and_loss(self.score(x_new, idx), self.labels[idx],
                                            self.targeted, self.cfg.loss)
            lower = l_new < loss[idx]
            loss[idx] = torch.where(lower, l_new, loss[idx])
            take = lower | (m_new < 0)
            margin[idx] = torch.where(take, m_new, margin[idx])
            best[idx[take]] = x_new[take]
            self._stamp(idx, margin[idx])
        return best

    def _stamp(self, idx: torch.Tensor, margin: torch.Tensor) -> None:
        new = idx[(margin < 0).cpu() & torch.isnan(self.first[idx.cpu()])]
        self.first[new] = self.score.queries[new].to(torch.float64)


def _norm(t: torch.Tensor) -> torch.Tensor:
    return t.flatten(1).norm(p=2, dim=1)


def _unit(t: torch.Tensor) -> torch.Tensor:
    return t / (_norm(t).view(-1, *([1] * (t.dim() - 1))) + _NORM_EPS)


def _grid(vh: torch.Tensor, vw: torch.Tensor, s: int):
    k = torch.arange(s, device=vh.device)
    rows = (vh[:, None] + k)[:, :, None]
    cols = (vw[:, None] + k)[:, None, :]
    return torch.arange(vh.numel(), device=vh.device)[:, None, None], rows, cols


def _window(t: torch.Tensor, vh: torch.Tensor, vw: torch.Tensor, s: int) -> torch.Tensor:
    """Each sample's s x s window at (vh, vw): shape (n, c, s, s)."""
    n_idx, rows, cols = _grid(vh, vw, s)
    return t[n_idx, :, rows, cols].permute(0, 3, 1, 2)


def _put_window(t: torch.Tensor, vh: torch.Tensor, vw: torch.Tensor,
                values: torch.Tensor) -> torch.Tensor:
    n_idx, rows, cols = _grid(vh, vw, values.shape[-1])
    out = t.clone()
    out[n_idx, :, rows, cols] = values.permute(0, 2, 3, 1)
    return out


def square_attack(scores: ScoreFn, x: torch.Tensor, y: torch.Tensor, cfg: SquareConfig, *,
                  targets: torch.Tensor | None = None, generator: torch.Generator | None = None,
                  name: str = "square") -> SquareResult:
    """Run the Square attack through the score function ``scores`` only.

    :param y: true labels; :param targets: target labels for a targeted attack.
    :param generator: all randomness (windows, signs); a fixed seed gives a fixed result.
    """
    if isinstance(scores, torch.nn.Module):
        raise PluginError(f"{name} is a black-box attack and takes a score function, not the "
                          "module; pass lambda x: model(x) if you mean to")
    if x.dim() != 4:
        raise DataError(f"{name} perturbs square windows of images of shape (N, C, H, W); got "
                        f"inputs of shape {tuple(x.shape)}")
    if cfg.bounds[0] >= cfg.bounds[1]:
        raise DataError(f"{name}: bounds must satisfy lower < upper, got {cfg.bounds}")
    gen = generator if generator is not None else torch.Generator().manual_seed(0)
    n = x.shape[0]
    score = _Scorer(scores, n, name)
    x = x.detach()
    labels = (targets if targets is not None else y).to(device=x.device, dtype=torch.int64)
    y = y.to(device=x.device, dtype=torch.int64)
    everyone = torch.arange(n, device=x.device)
    clean = score(x, everyone) if n else torch.zeros(0, 1)
    pred = clean.argmax(1) if n else y
    won = pred == labels if targets is not None else pred != y
    first = torch.full((n,), math.nan, dtype=torch.float64)
    first[won.cpu()] = 1.0
    best = x.clone()
    todo = torch.nonzero(~won).flatten()
    if todo.numel():
        run = _Square(_Remap(score, todo), x[todo], labels[todo], targets is not None, cfg, gen)
        best[todo] = run.run()
        done = ~torch.isnan(run.first)
        first[todo.cpu()[done]] = run.first[done]
        won[todo[done.to(todo.device)]] = True
    return SquareResult(best, won.cpu(), score.queries.clone(), first)


class _Remap:
    """A scorer for a subset: maps the subset's row indices to the batch's, so queries are
    counted on the batch's samples."""

    def __init__(self, score: _Scorer, rows: torch.Tensor):
        self.score, self.rows = score, rows

    def __call__(self, x: torch.Tensor, owners: torch.Tensor) -> torch.Tensor:
        return self.score(x, self.rows[owners])

    @property
    def queries(self) -> torch.Tensor:
        return self.score.queries[self.rows.cpu()]
