"""The trained enhancer as an input-transform defense in front of any RGB image classifier."""

from __future__ import annotations

import torch

from robustkit import DataBundle, DefenseContext, Task, TrainingConfig
from robustkit.data import derive_seed, make_generator
from robustkit.trainer import Trainer
from robustkit_underwater.enhancer import DualBranchEnhancer
from robustkit_underwater.params import EnhancerDefenseParams, EnhancerParams
from robustkit_underwater.water import check_rgb, degrade


def training_pairs(x: torch.Tensor, p: EnhancerDefenseParams, seed: int
                   ) -> tuple[torch.Tensor, torch.Tensor]:
    """(degraded, clean) pairs made from clean inputs in [0, 1]: each input ``variants`` times,
    a ``clean_fraction`` of them left undegraded so the enhancer learns to pass clean inputs."""
    gen = make_generator(seed, "enhancer-pairs")
    clean = x.repeat(p.variants, 1, 1, 1)
    n = clean.shape[0]
    sev = p.severity_min + (p.severity_max - p.severity_min) * torch.rand(n, generator=gen)
    sev = torch.where(torch.rand(n, generator=gen) < p.clean_fraction, torch.zeros(n), sev)
    return degrade(clean, severity=sev, water=p.water, generator=gen), clean


class UnderwaterEnhancerDefense:
    """Fits the dual-branch enhancer on the classifier's own training inputs seen through
    random water, then enhances every input before the classifier sees it."""

    def __init__(self, params: EnhancerDefenseParams):
        self.params = params
        self.net: DualBranchEnhancer | None = None
        self.bounds = (0.0, 1.0)
        self.history: list[float] = []

    def fit(self, data: DataBundle, ctx: DefenseContext) -> None:
        check_rgb(data.x_train[:1], "the underwater-enhancer defense")
        p = self.params
        lo, hi = self.bounds = data.info.bounds
        unit = ((data.x_train - lo) / (hi - lo)).clamp(0, 1).cpu()
        x, y = training_pairs(unit, p, ctx.seed)
        torch.manual_seed(derive_seed(ctx.seed, "enhancer-init"))
        net = DualBranchEnhancer(EnhancerParams(**{k: getattr(p, k) for k in
                                                   EnhancerParams.model_fields}))
        trainer = Trainer(TrainingConfig(epochs=p.epochs, lr=p.lr, batch_size=p.batch_size),
                          Task.IMAGE_TO_IMAGE, seed=derive_seed(ctx.seed, "enhancer"),
                          device=ctx.device)
        self.net = trainer.fit(net, x, y, salt="enhancer")
        self.history = trainer.history

    def transform(self, x: torch.Tensor) -> torch.Tensor:
        if self.net is None:
            raise RuntimeError("underwater-enhancer: fit() must run before transform()")
        check_rgb(x, "the underwater-enhancer defense")
        lo, hi = self.bounds
        self.net.to(x.device).eval()
        out = self.net((x - lo) / (hi - lo))
        return out * (hi - lo) + lo
