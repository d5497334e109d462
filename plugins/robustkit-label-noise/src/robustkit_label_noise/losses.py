"""Per-sample noise-robust classification losses (each returns one value per sample)."""

from __future__ import annotations

import torch
import torch.nn.functional as F


def cross_entropy(logits: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    return F.cross_entropy(logits, y, reduction="none")


def generalized_cross_entropy(logits: torch.Tensor, y: torch.Tensor, q: float) -> torch.Tensor:
    """L_q = (1 - p_y^q) / q (Zhang & Sabuncu 2018); p_y^q via exp(q log p_y) for stability."""
    log_py = F.log_softmax(logits, dim=1).gather(1, y[:, None]).squeeze(1)
    return (1 - torch.exp(q * log_py)) / q


def symmetric_cross_entropy(logits: torch.Tensor, y: torch.Tensor, alpha: float, beta: float,
                            log_zero: float) -> torch.Tensor:
    """alpha CE + beta RCE (Wang et al. 2019).

    RCE = -sum_k p_k log q_k with q the one-hot label and log 0 := A, which is
    -A (1 - p_y): bounded, hence tolerant of wrong labels.
    """
    ce = F.cross_entropy(logits, y, reduction="none")
    p_y = torch.softmax(logits, dim=1).gather(1, y[:, None]).squeeze(1)
    rce = -log_zero * (1 - p_y)
    return alpha * ce + beta * rce
