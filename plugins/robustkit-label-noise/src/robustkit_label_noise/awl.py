"""Adaptive weighted loss (AWL) for noisy labels, after Ren & Tao (2025).

The formulation (docs/plugins/label-noise.md) is a per-sample weighted cross-entropy

    L = (1 / B) sum_i  p_i^q * w_i(t) * CE(f(x_i), y_i)

with p_i the model's detached probability of the given label and a weight schedule w_i(t):

- warm-up (first ``warmup`` of the epochs): w_i = 1. Early on every p_i is near 1/C, so the
  weighting is near-uniform and learning is stable while the network fits the easy, mostly
  clean patterns first (Arpit et al. 2017);
- every epoch each sample's loss is measured (eval mode, no graph) and folded into a moving
  average m_i; a two-component Gaussian mixture is fitted to the m_i *of each labelled class*
  and c_i, the posterior of the low-loss component, estimates how likely label i is clean
  (Arazo et al. 2019; per class, so hard classes are not dropped wholesale);
- the adaptive weight a_i is 0 (``floor``) for c_i < ``threshold`` (suppression of likely
  noisy samples) and c_i * h_i otherwise, with the hardness factor
  h_i = clip((m_i / mean_clean(m)) ** gamma, 1 / cap, cap) applied where c_i >= ``sure``
  (emphasis on hard-but-clean samples);
- w_i = ((1 - lambda) + lambda a_i) / mean_j((1 - lambda) + lambda a_j), lambda(t) rising
  linearly from 0 to 1 over ``ramp`` of the epochs after the warm-up.
"""

from __future__ import annotations

import math
import warnings

import numpy as np
import torch

from robustkit_label_noise.losses import cross_entropy
from robustkit_label_noise.params import AWLParams


class AdaptiveWeights:
    """The per-sample weight schedule; ``loss(step)`` is the kernel's TrainStep loss."""

    def __init__(self, params: AWLParams, x: torch.Tensor, y: torch.Tensor, epochs: int,
                 seed: int = 0, batch_size: int = 512):
        self.p = params
        self.x, self.y = x, y
        self.batch_size = batch_size
        n = int(x.shape[0])
        self.n = n
        self.epochs = epochs
        self.seed = seed
        self.avg = torch.zeros(n, dtype=torch.float64)
        self.seen = torch.zeros(n, dtype=torch.bool)
        self.adaptive = torch.ones(n, dtype=torch.float64)
        self.fitted_epoch = -1
        self.warmup_epochs = int(math.ceil(params.warmup * epochs))
        self.ramp_epochs = int(math.ceil(params.ramp * epochs))

    def mix(self, epoch: int) -> float:
        """lambda(t): 0 during warm-up, then a linear ramp to 1."""
        if epoch < self.warmup_epochs:
            return 0.0
        if self.ramp_epochs == 0:
            return 1.0
        return min(1.0, (epoch - self.warmup_epochs + 1) / self.ramp_epochs)

    def record(self, index: torch.Tensor, losses: torch.Tensor) -> None:
        idx = index.cpu()
        values = losses.detach().cpu().double()
        first = ~self.seen[idx]
        m = self.p.momentum
        blended = m * self.avg[idx] + (1 - m) * values
        self.avg[idx] = torch.where(first, values, blended)
        self.seen[idx] = True

    def measure(self, model) -> None:
        """Every training sample's current loss, in eval mode and without a graph; folded into
        the moving average (the loss at the sample's last batch is stale by up to an epoch)."""
        was_training = model.training
        model.eval()
        device = next(model.parameters()).device
        parts = []
        with torch.no_grad():
            for start in range(0, self.n, self.batch_size):
                xb = self.x[start : start + self.batch_size].to(device)
                yb = self.y[start : start + self.batch_size].to(device)
                parts.append(cross_entropy(model(xb), yb).double().cpu())
        model.train(was_training)
        self.record(torch.arange(self.n), torch.cat(parts))

    def refit(self, epoch: int, model=None) -> None:
        """Adaptive weights from the tracked losses, refitted once per epoch."""
        if epoch == self.fitted_epoch:
            return
        self.fitted_epoch = epoch
        if model is not None:
            self.measure(model)
        if not bool(self.seen.all()):
            return  # weights need every sample's loss; stay uniform until then
        losses = self.avg.numpy()
        labels = self.y.cpu().numpy()
        weights = np.ones(self.n)
        # one mixture per labelled class: classes differ in difficulty, and a global fit
        # would keep only the easy classes' samples and collapse the model onto them
        for k in np.unique(labels):
            members = labels == k
            weights[members] = self._class_weights(losses[members])
        self.adaptive = torch.from_numpy(weights)

    def _class_weights(self, m: np.ndarray) -> np.ndarray:
        if m.size < 4 or np.ptp(m) < 1e-8:
            return np.ones_like(m)  # too few or identical losses: nothing to separate
        from sklearn.exceptions import ConvergenceWarning
        from sklearn.mixture import GaussianMixture

        with warnings.catch_warnings():
            # a loose fit is fine here: only the ordering of the posteriors matters
            warnings.simplefilter("ignore", ConvergenceWarning)
            gmm = GaussianMixture(2, max_iter=50, tol=1e-3, reg_covar=1e-4,
                                  random_state=self.seed % 2**32).fit(m[:, None])
        low = int(np.argmin(gmm.means_.ravel()))
        clean = gmm.predict_proba(m[:, None])[:, low]
        mean_clean = float((clean * m).sum() / max(clean.sum(), 1e-12))
        hard = np.clip((m / max(mean_clean, 1e-12)) ** self.p.hardness,
                       1 / self.p.max_emphasis, self.p.max_emphasis)
        hard = np.where(clean >= self.p.sure, hard, 1.0)
        return np.where(clean >= self.p.threshold, clean, self.p.floor) * hard

    def weights(self, index: torch.Tensor, epoch: int, model=None) -> torch.Tensor:
        self.refit(epoch, model)
        lam = self.mix(epoch)
        if lam == 0.0:
            return torch.ones(index.numel(), dtype=torch.float64)
        full = (1 - lam) + lam * self.adaptive
        # normalising by the training-set mean keeps the loss scale fixed as weights adapt,
        # without letting a batch of all-noisy samples be blown up to full strength
        return full[index.cpu()] / full.mean().clamp_min(1e-12)

    def loss(self, step) -> torch.Tensor:
        logits = step.model(step.x)
        per_sample = cross_entropy(logits, step.y)
        w = self.weights(step.index, step.epoch, step.model).to(per_sample.device,
                                                                 per_sample.dtype)
        if self.p.confidence > 0:
            # p_y^q: low-confidence (likely mislabelled) samples pull less, from the first step
            w = w * torch.exp(-self.p.confidence * per_sample.detach())
        return (w * per_sample).mean()
