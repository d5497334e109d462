"""The dense head's layout, its loss and its decoding. Shared by the model and the metrics.

Layout of the raw output ``N x (5 + C) x H' x W'`` (one cell per ``STRIDE`` x ``STRIDE``
pixels): channel 0 objectness logit; 1-2 the box centre's offset inside its cell (through a
sigmoid); 3-4 log of box width and height in cells; 5.. class logits. Each true box is
assigned to the cell holding its centre (CenterNet-style, Zhou et al. 2019): objectness learns
a Gaussian heat map peaked at centres with the penalty-reduced focal loss, offsets and sizes an
L1 loss at the centre cells, classes a cross-entropy there.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from robustkit.errors import DataError
from robustkit_detection.boxes import nms

STRIDE = 4


def _check(outputs: torch.Tensor, num_classes: int | None = None) -> None:
    if outputs.dim() != 4 or outputs.shape[1] < 6:
        raise DataError(f"detection outputs must be N x (5 + C) x H' x W' (objectness, dx, dy, "
                        f"log w, log h, class logits); got shape {tuple(outputs.shape)}")
    if num_classes is not None and outputs.shape[1] != 5 + num_classes:
        raise DataError(f"detection outputs have {outputs.shape[1] - 5} class channels but the "
                        f"data set has {num_classes} classes")


def assign(targets: torch.Tensor, grid: tuple[int, int], stride: int = STRIDE):
    """Map padded xyxy targets onto the grid.

    :returns: ``heat`` (N x H' x W', 1 at centre cells), and for each real box its image
        index, cell (row, col), offset and log-size targets and class.
    """
    if targets.dim() != 3 or targets.shape[-1] != 5:
        raise DataError(f"detection targets must be N x M x 5 (class, x1, y1, x2, y2) padded "
                        f"with class -1; got shape {tuple(targets.shape)}")
    n, (h, w) = targets.shape[0], grid
    real = targets[..., 0] >= 0
    img = real.nonzero()[:, 0]
    t = targets[real]
    cls = t[:, 0].long()
    cx, cy = (t[:, 1] + t[:, 3]) / (2 * stride), (t[:, 2] + t[:, 4]) / (2 * stride)
    bw = ((t[:, 3] - t[:, 1]) / stride).clamp(min=1e-3)
    bh = ((t[:, 4] - t[:, 2]) / stride).clamp(min=1e-3)
    col, row = cx.floor().long().clamp(0, w - 1), cy.floor().long().clamp(0, h - 1)
    ys = torch.arange(h, device=targets.device, dtype=targets.dtype) + 0.5
    xs = torch.arange(w, device=targets.device, dtype=targets.dtype) + 0.5
    sigma = (torch.sqrt(bw * bh) / 3).clamp(min=0.5)
    d2 = (ys[None, :, None] - cy[:, None, None]) ** 2 + (xs[None, None, :] - cx[:, None, None]) ** 2
    blobs = torch.exp(-d2 / (2 * sigma[:, None, None] ** 2)).flatten(1)
    heat = torch.zeros(n, h * w, device=targets.device, dtype=targets.dtype)
    heat = heat.scatter_reduce(0, img[:, None].expand_as(blobs), blobs, "amax").view(n, h, w)
    heat[img, row, col] = 1.0
    offset = torch.stack([cx - col, cy - row], 1)
    size = torch.stack([bw.log(), bh.log()], 1)
    return heat, img, row, col, offset, size, cls


def detection_loss(outputs: torch.Tensor, targets: torch.Tensor, num_classes: int) -> torch.Tensor:
    """Focal heat-map loss + L1 offset and log-size losses + class cross-entropy."""
    _check(outputs, num_classes)
    heat, img, row, col, offset, size, cls = assign(targets.to(outputs.dtype),
                                                    tuple(outputs.shape[-2:]))
    z = outputs[:, 0]
    pos = heat == 1
    p = torch.sigmoid(z)
    pos_term = -(F.logsigmoid(z) * (1 - p) ** 2)[pos].sum()
    neg_term = -(F.logsigmoid(-z) * p ** 2 * (1 - heat) ** 4)[~pos].sum()
    n_pos = max(int(pos.sum()), 1)
    loss = (pos_term + neg_term) / n_pos
    if img.numel():
        cell = outputs[img, :, row, col]  # (boxes, 5 + C)
        loss = loss + F.l1_loss(torch.sigmoid(cell[:, 1:3]), offset)
        loss = loss + F.l1_loss(cell[:, 3:5], size)
        loss = loss + F.cross_entropy(cell[:, 5:], cls)
    return loss


def decode(outputs: torch.Tensor, *, stride: int = STRIDE, score_threshold: float = 0.01,
           nms_iou: float = 0.5, max_detections: int = 100,
           ) -> list[tuple[torch.Tensor, torch.Tensor, torch.Tensor]]:
    """Detections per image: ``(boxes K x 4 xyxy pixels, scores K, classes K)``.

    Candidates are local maxima of objectness (3x3), scored objectness x class probability,
    thresholded, then class-wise NMS keeps at most ``max_detections``.
    """
    _check(outputs)
    outputs = outputs.detach().float()
    n, _, h, w = outputs.shape
    obj = torch.sigmoid(outputs[:, 0])
    peak = obj == F.max_pool2d(obj[:, None], 3, 1, 1)[:, 0]
    prob, cls = torch.softmax(outputs[:, 5:], 1).max(1)
    score = obj * prob * peak
    rows = torch.arange(h, device=outputs.device, dtype=outputs.dtype)[:, None].expand(h, w)
    cols = torch.arange(w, device=outputs.device, dtype=outputs.dtype)[None, :].expand(h, w)
    cx = (cols + torch.sigmoid(outputs[:, 1])) * stride
    cy = (rows + torch.sigmoid(outputs[:, 2])) * stride
    bw = torch.exp(outputs[:, 3].clamp(max=8)) * stride
    bh = torch.exp(outputs[:, 4].clamp(max=8)) * stride
    boxes = torch.stack([cx - bw / 2, cy - bh / 2, cx + bw / 2, cy + bh / 2], -1)
    limit = torch.tensor([w * stride, h * stride] * 2, device=outputs.device)
    boxes = torch.minimum(boxes.clamp(min=0), limit)
    result = []
    for i in range(n):
        s = score[i].flatten()
        keep = (s >= score_threshold).nonzero()[:, 0]
        keep = keep[torch.sort(s[keep], descending=True, stable=True).indices][:4 * max_detections]
        b, sc, c = boxes[i].reshape(-1, 4)[keep], s[keep], cls[i].flatten()[keep]
        kept = nms(b, sc, nms_iou, classes=c)[:max_detections]
        result.append((b[kept], sc[kept], c[kept]))
    return result
