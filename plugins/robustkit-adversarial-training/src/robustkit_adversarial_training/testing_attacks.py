"""Small perturbations for tests, so tests of training defenses (here and in
robustkit-distillation) need no attack plugin: an L-inf FGSM on the
cross-entropy (needs gradients) and a noise perturbation (needs nothing)."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from pydantic import Field

from robustkit import Params, hookimpl


class FGSMParams(Params):
    eps: float = Field(0.1, ge=0, le=10)
    steps: int = Field(1, ge=1, le=100)


class LocalFGSM:
    """Iterated sign steps of size eps / steps in the eps ball (steps = 1: FGSM)."""

    def __init__(self, params: FGSMParams):
        self.eps, self.steps = params.eps, params.steps

    def perturb(self, x, y, ctx):
        lo, hi = ctx.info.bounds
        model = ctx.model
        assert not model.training, "the attack must see the model in eval mode"
        x_adv = x.clone()
        for _ in range(self.steps):
            x_adv.requires_grad_(True)
            (g,) = torch.autograd.grad(F.cross_entropy(model(x_adv), y), x_adv)
            x_adv = x_adv.detach() + self.eps / self.steps * g.sign()
            x_adv = (x + (x_adv - x).clamp(-self.eps, self.eps)).clamp(lo, hi)
        return x_adv.detach()


class NoiseParams(Params):
    eps: float = Field(0.1, ge=0, le=10)


class LocalNoise:
    def __init__(self, params: NoiseParams):
        self.eps = params.eps

    def perturb(self, x, y, ctx):
        return x


@hookimpl
def robustkit_register_perturbations(register):
    register.perturbation("local-fgsm", LocalFGSM, params=FGSMParams, needs="gradients",
                          targets=["test-inputs"], strength="eps", tasks=["classification"])
    register.perturbation("local-noise", LocalNoise, params=NoiseParams, needs="nothing",
                          targets=["test-inputs"], strength="eps", tasks=["classification"])
