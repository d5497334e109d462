"""Perturbations that fit detection: occlusion patches, lighting change, and PGD on the
detection loss. (The corruption suite of ``robustkit-corruptions`` also serves detection.)"""

from __future__ import annotations

import torch

from robustkit.data import PerturbContext
from robustkit.errors import DataError, PluginError
from robustkit_detection.boxes import split_targets
from robustkit_detection.params import (
    DetectionPGDParams,
    LightingParams,
    OcclusionParams,
)

# per severity: patches per image, patch side as a fraction of the image side
OCCLUSION = ((1, 0.08), (2, 0.10), (3, 0.12), (4, 0.14), (6, 0.16))
# per severity: largest gain change and shading-ramp amplitude (fractions of the range)
LIGHTING = ((0.15, 0.15), (0.25, 0.25), (0.35, 0.35), (0.45, 0.45), (0.55, 0.6))


def _check_images(name: str, x: torch.Tensor) -> None:
    if x.dim() != 4 or not x.is_floating_point():
        raise DataError(f"{name}: perturbs float images N x C x H x W; got {x.dtype} of shape "
                        f"{tuple(x.shape)}")


class OcclusionPatches:
    """Leaf-like patches pasted over objects: each patch sits on a random true box's centre
    (jittered) when the image has boxes, else anywhere; it is filled with the image's mean
    colour plus texture noise, so it hides the object without an unnatural colour."""

    def __init__(self, params: OcclusionParams):
        self.count, self.side = OCCLUSION[params.severity - 1]

    def perturb(self, x: torch.Tensor, y: torch.Tensor, ctx: PerturbContext) -> torch.Tensor:
        _check_images("occlusion-patches", x)
        lo, hi = ctx.info.bounds
        n, c, h, w = x.shape
        out = x.detach().clone()
        gen = ctx.generator
        truths = split_targets(y.cpu()) if y.dim() == 3 and y.shape[-1] == 5 else [None] * n
        side = max(1, round(self.side * min(h, w)))
        for i in range(n):
            mean = out[i].mean((1, 2)).cpu()
            for _ in range(self.count):
                u = torch.rand(4, generator=gen)
                t = truths[i]
                if t is not None and t.shape[0]:
                    b = t[int(u[0] * t.shape[0]) % t.shape[0]]
                    cx = float(b[1] + b[3]) / 2 + (float(u[1]) - 0.5) * side
                    cy = float(b[2] + b[4]) / 2 + (float(u[2]) - 0.5) * side
                else:
                    cx, cy = float(u[1]) * w, float(u[2]) * h
                x0, y0 = int(max(0, min(w - side, cx - side / 2))), int(
                    max(0, min(h - side, cy - side / 2)))
                noise = 0.05 * (hi - lo) * torch.randn((c, side, side), generator=gen)
                out[i, :, y0:y0 + side, x0:x0 + side] = (mean[:, None, None] + noise).to(out)
        return out.clamp(lo, hi)


class LightingChange:
    """A global gain (darker or brighter, at random) and a linear shading ramp in a random
    direction, applied in the data range and clipped."""

    def __init__(self, params: LightingParams):
        self.gain, self.ramp = LIGHTING[params.severity - 1]

    def perturb(self, x: torch.Tensor, y: torch.Tensor, ctx: PerturbContext) -> torch.Tensor:
        _check_images("lighting-change", x)
        lo, hi = ctx.info.bounds
        n, _, h, w = x.shape
        u = torch.rand(n, 3, generator=ctx.generator).to(x.device, x.dtype)
        sign = torch.where(u[:, 0] < 0.5, -1.0, 1.0).to(x)
        gain = 1 + sign * self.gain * (0.6 + 0.4 * u[:, 1])
        theta = 2 * torch.pi * u[:, 2]
        ys = torch.linspace(-0.5, 0.5, h, device=x.device, dtype=x.dtype)
        xs = torch.linspace(-0.5, 0.5, w, device=x.device, dtype=x.dtype)
        ramp = (torch.cos(theta)[:, None, None] * xs[None, None, :]
                + torch.sin(theta)[:, None, None] * ys[None, :, None])
        scale = (gain[:, None, None] + self.ramp * ramp)[:, None]
        unit = (x.detach() - lo) / (hi - lo)
        return (lo + (unit * scale).clamp(0, 1) * (hi - lo)).clamp(lo, hi)


class DetectionPGD:
    """L-inf PGD that maximises the model's own ``training_loss`` against the true boxes
    (Madry et al. 2018, applied to a detection loss): objects vanish, shift or change class."""

    def __init__(self, params: DetectionPGDParams):
        self.p = params

    def perturb(self, x: torch.Tensor, y: torch.Tensor, ctx: PerturbContext) -> torch.Tensor:
        _check_images("detection-pgd", x)
        model = ctx.model
        loss_fn = getattr(model, "training_loss", None)
        if not callable(loss_fn):
            raise PluginError("detection-pgd attacks a model's training_loss(outputs, targets); "
                              f"{type(model).__name__} defines none. Use a detection model such "
                              "as sprout-detector")
        lo, hi = ctx.info.bounds
        eps = self.p.eps * (hi - lo)
        step = (self.p.step_size * (hi - lo) if self.p.step_size is not None
                else 2.5 * eps / self.p.steps)
        x0 = x.detach()
        adv = x0.clone()
        if self.p.random_start and eps > 0:
            noise = torch.rand(x0.shape, generator=ctx.generator).to(x0) * 2 - 1
            adv = (x0 + eps * noise).clamp(lo, hi)
        for _ in range(self.p.steps):
            adv.requires_grad_(True)
            with torch.enable_grad():
                loss = loss_fn(model(adv), y)
                (grad,) = torch.autograd.grad(loss, adv)
            adv = adv.detach() + step * grad.sign()
            adv = torch.minimum(torch.maximum(adv, x0 - eps), x0 + eps).clamp(lo, hi)
        return adv.detach()
