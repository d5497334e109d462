"""Per-epoch test metrics for a training run that asks for them.

``Trainer(..., monitor=accuracy_monitor(x_test, y_test))`` records the test accuracy after every
epoch in ``trainer.epoch_metrics`` (with the epoch and the mean training loss), so a run shows
*when* a method pays, not only where it ends: label-noise methods, for one, differ most in how
far cross-entropy falls after its early peak (docs/plugins/label-noise.md).

Watching the test split is for reporting curves; choosing the epoch by it would leak the test
set into training. :func:`summarise` reports the best epoch next to the final one for that
reason: the gap is what early stopping on a clean validation split could at most recover.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from robustkit.errors import DataError

if TYPE_CHECKING:
    import torch
    from torch import nn


def accuracy_monitor(x: torch.Tensor, y: torch.Tensor, batch_size: int = 512):
    """A monitor: top-1 accuracy of the model's outputs on ``(x, y)``."""
    if x.shape[0] != y.shape[0] or x.shape[0] == 0:
        raise DataError(f"accuracy_monitor: {x.shape[0]} inputs and {y.shape[0]} labels; "
                        "give the same, non-zero number of each")

    def monitor(model: nn.Module, epoch: int) -> dict[str, float]:
        from robustkit.trainer import predict

        device = next(model.parameters()).device
        out = predict(model, x.to(device), batch_size)
        return {"test_accuracy": float((out.argmax(-1).cpu() == y.cpu()).float().mean())}

    return monitor


def summarise(records: Sequence[dict[str, float]], key: str = "test_accuracy") -> dict:
    """Best and final value of ``key`` over the recorded epochs (best = highest)."""
    if not records:
        raise DataError("no per-epoch records: construct the Trainer with monitor=... to get "
                        "them")
    best = max(records, key=lambda r: r[key])
    return {"best": best[key], "best_epoch": int(best["epoch"]) + 1,
            "final": records[-1][key], "final_epoch": int(records[-1]["epoch"]) + 1}
