"""One-step and closed-loop (multi-step) forecasting, and scoring with the regression metrics.

Open loop (one step): each test window holds observed values; the model predicts the next
``horizon`` values. This is what a pipeline's metrics score.

Closed loop: from one observed window, the model predicts one step, the prediction is
appended to the window (the oldest value drops out) and the model predicts again, ``steps``
times: errors feed back, as in the NARX closed-loop mode (Ge et al. 2024). It needs every
input feature to be a target (univariate series, or all components forecast), because a
predicted value must stand in for every input of the next step.
"""

from __future__ import annotations

import math

import torch

from robustkit.components import DataInfo, Modality, Task
from robustkit.data import Evaluation
from robustkit.errors import DataError

METRICS = ("rmse", "mse", "mae", "mape", "r2")


def closed_loop(model: torch.nn.Module, window: torch.Tensor, steps: int,
                target_index: list[int]) -> torch.Tensor:
    """Predict ``steps`` values recursively from ``window`` (N, T, F) -> (N, steps, K).

    :param target_index: the input feature each model output continues; must cover every
        feature (a closed loop has nothing else to feed back).
    """
    if window.dim() != 3:
        raise DataError(f"closed_loop needs windows (N, T, F); got {tuple(window.shape)}")
    n, _, f = window.shape
    if sorted(target_index) != list(range(f)):
        raise DataError(f"closed-loop prediction feeds predictions back as inputs, so the "
                        f"targets must be all {f} input features; target_index is "
                        f"{target_index}. Use inputs='target' or forecast every component")
    order = torch.tensor(target_index)
    model.eval()
    cur = window.clone()
    preds = []
    with torch.inference_mode():
        for _ in range(steps):
            out = model(cur).reshape(n, -1)[:, : len(target_index)]  # first horizon step
            preds.append(out)
            step = torch.empty(n, 1, f, dtype=cur.dtype)
            step[:, 0, order] = out.to(cur.dtype)
            cur = torch.cat([cur[:, 1:], step], dim=1)
    return torch.stack(preds, dim=1)


def score(y_true: torch.Tensor, y_pred: torch.Tensor,
          metrics: tuple[str, ...] = METRICS) -> dict[str, float]:
    """RMSE, MSE, MAE, MAPE and R^2 of predictions, computed by the registered regression
    metrics (robustkit-regression-metrics), so the numbers match a pipeline's."""
    from robustkit_regression_metrics import metrics as rm

    classes = {"rmse": rm.RMSE, "mse": rm.MSE, "mae": rm.MAE, "mape": rm.MAPE, "r2": rm.R2}
    y_true = y_true.reshape(y_true.shape[0], -1)
    y_pred = y_pred.reshape(y_pred.shape[0], -1)
    if y_true.shape != y_pred.shape:
        raise DataError(f"predictions {tuple(y_pred.shape)} and targets {tuple(y_true.shape)} "
                        "differ in shape")
    info = DataInfo(Task.REGRESSION, Modality.VECTOR, (y_true.shape[1],), (-math.inf, math.inf),
                    output_dim=y_true.shape[1])
    ev = Evaluation(y_true=y_true, outputs=y_pred, x=y_true, x_clean=y_true,
                    clean_outputs=y_pred, info=info)
    return {m: float(classes[m]().compute(ev)) for m in metrics}
