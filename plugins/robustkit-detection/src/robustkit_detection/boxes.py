"""Box arithmetic shared by the data, the model and the metrics: IoU, NMS, label padding.

Boxes are ``x1, y1, x2, y2`` in pixels (xyxy). NMS is written once, here, in plain torch.
"""

from __future__ import annotations

import torch

from robustkit.errors import DataError

PAD_CLASS = -1


def box_area(boxes: torch.Tensor) -> torch.Tensor:
    return (boxes[:, 2] - boxes[:, 0]).clamp(min=0) * (boxes[:, 3] - boxes[:, 1]).clamp(min=0)


def box_iou(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """Pairwise IoU of ``a`` (A x 4) and ``b`` (B x 4): an A x B matrix."""
    lt = torch.maximum(a[:, None, :2], b[None, :, :2])
    rb = torch.minimum(a[:, None, 2:], b[None, :, 2:])
    inter = (rb - lt).clamp(min=0).prod(-1)
    union = box_area(a)[:, None] + box_area(b)[None, :] - inter
    return inter / union.clamp(min=1e-9)


def nms(boxes: torch.Tensor, scores: torch.Tensor, iou_threshold: float,
        classes: torch.Tensor | None = None) -> torch.Tensor:
    """Greedy non-maximum suppression; returns the indices kept, highest score first.

    A box is dropped when it overlaps an already kept, higher-scoring box by IoU strictly
    greater than ``iou_threshold``. With ``classes``, only boxes of the same class suppress
    each other (boxes are shifted apart per class, so one pass serves all classes).
    Ties in score keep the box that comes first in the input.
    """
    if boxes.numel() == 0:
        return torch.empty(0, dtype=torch.long, device=boxes.device)
    if classes is not None:
        # offset each class by more than the whole extent, so classes never overlap
        span = float((boxes.max() - boxes.min()).abs()) + 1.0
        boxes = boxes + (classes.to(boxes.dtype) * span)[:, None]
    order = torch.sort(scores, descending=True, stable=True).indices
    # the greedy pass reads one flag per box: on a GPU each read would be a host sync, so the
    # (small) suppression matrix comes to the CPU once and the loop runs there
    suppress = (box_iou(boxes[order], boxes[order]) > iou_threshold).cpu()
    alive = torch.ones(order.numel(), dtype=torch.bool)
    for i in range(order.numel()):
        if alive[i]:
            alive[i + 1:] &= ~suppress[i, i + 1:]
    return order[alive.to(order.device)]


def split_targets(y: torch.Tensor) -> list[torch.Tensor]:
    """The real (unpadded) rows of each sample of an ``N x M x 5`` label tensor."""
    return [row[row[:, 0] >= 0] for row in y]


def pad_targets(per_image: list[torch.Tensor], min_rows: int = 1) -> torch.Tensor:
    """Stack per-image ``k x 5`` box tensors into ``N x M x 5``, padding with class -1."""
    m = max([min_rows, *(int(t.shape[0]) for t in per_image)])
    out = torch.zeros(len(per_image), m, 5)
    out[:, :, 0] = PAD_CLASS
    for i, t in enumerate(per_image):
        if t.numel():
            out[i, : t.shape[0]] = t
    return out


def check_targets(y: torch.Tensor, num_classes: int, size: tuple[int, int],
                  what: str = "detection labels") -> None:
    """Raise DataError unless ``y`` follows the ``N x M x 5`` padded xyxy convention."""
    if y.dim() != 3 or y.shape[-1] != 5:
        raise DataError(f"{what}: expected a tensor N x M x 5 (class, x1, y1, x2, y2) padded "
                        f"with class -1, got shape {tuple(y.shape)}")
    if not torch.isfinite(y).all():
        raise DataError(f"{what}: contain NaN or infinity")
    real = y[y[..., 0] >= 0]
    if real.numel() == 0:
        return
    cls = real[:, 0]
    if (cls != cls.round()).any() or int(cls.max()) >= num_classes:
        raise DataError(f"{what}: class ids must be integers in [0, {num_classes}) or -1 for "
                        f"padding; got up to {float(cls.max())}")
    h, w = size
    x1, y1, x2, y2 = real[:, 1], real[:, 2], real[:, 3], real[:, 4]
    if (x2 <= x1).any() or (y2 <= y1).any():
        raise DataError(f"{what}: every box needs x2 > x1 and y2 > y1 (xyxy pixel coordinates)")
    if (x1 < -1e-4).any() or (y1 < -1e-4).any() or (x2 > w + 1e-4).any() or (y2 > h + 1e-4).any():
        raise DataError(f"{what}: boxes must lie inside the {w}x{h} image")
