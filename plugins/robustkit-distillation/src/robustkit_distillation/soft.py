"""Soft-label losses shared by the distillation defenses."""

from __future__ import annotations

import torch
import torch.nn.functional as F


def soft_cross_entropy(logits: torch.Tensor, target_probs: torch.Tensor,
                       temperature: float) -> torch.Tensor:
    """Mean over the batch of -Σ q log softmax(z / T) (Hinton et al. 2015)."""
    return -(target_probs * F.log_softmax(logits / temperature, dim=-1)).sum(-1).mean()


def kl_to(logits: torch.Tensor, target_probs: torch.Tensor, temperature: float) -> torch.Tensor:
    """T² · KL(q ‖ softmax(z / T)), batch mean; T² keeps gradients comparable across T."""
    log_p = F.log_softmax(logits / temperature, dim=-1)
    return F.kl_div(log_p, target_probs, reduction="batchmean") * temperature**2


def entropy(probs: torch.Tensor) -> torch.Tensor:
    """Shannon entropy (nats) of each row."""
    return -(probs * probs.clamp_min(1e-12).log()).sum(-1)
