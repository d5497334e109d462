"""Average precision from ranked detections, and the matching it rests on.

Interpolation: VOC2010+ style *all-point* interpolation (Everingham et al. 2010): the
precision envelope (max precision at any recall >= r) integrated exactly over recall. mAP
averages AP over the classes that have at least one true box; mAP@0.5:0.95 further averages
over IoU thresholds 0.50, 0.55, ..., 0.95 (the COCO thresholds, with all-point AP).
"""

from __future__ import annotations

import torch

from robustkit_detection.boxes import box_iou

COCO_IOUS = tuple(round(0.5 + 0.05 * i, 2) for i in range(10))


def match(det_boxes: torch.Tensor, det_scores: torch.Tensor, true_boxes: torch.Tensor,
          iou_threshold: float) -> torch.Tensor:
    """Greedy matching in one image and one class: True where a detection is a true positive.

    Detections are visited by falling score; each takes the unmatched true box it overlaps
    most, if that IoU reaches ``iou_threshold`` (>=, as in the VOC devkit).
    """
    tp = torch.zeros(det_boxes.shape[0], dtype=torch.bool)
    if det_boxes.numel() == 0 or true_boxes.numel() == 0:
        return tp
    iou = box_iou(det_boxes, true_boxes)
    taken = torch.zeros(true_boxes.shape[0], dtype=torch.bool)
    for i in torch.sort(det_scores, descending=True, stable=True).indices.tolist():
        cand = iou[i].clone()
        cand[taken] = -1.0
        j = int(cand.argmax())
        if cand[j] >= iou_threshold:
            taken[j] = True
            tp[i] = True
    return tp


def average_precision(scores: torch.Tensor, tp: torch.Tensor, n_true: int) -> float:
    """All-point interpolated AP of detections ``scores`` with flags ``tp`` against ``n_true``
    true boxes; ``nan`` when there is no true box."""
    if n_true == 0:
        return float("nan")
    if scores.numel() == 0:
        return 0.0
    order = torch.sort(scores, descending=True, stable=True).indices
    hits = tp[order].double()
    ctp = hits.cumsum(0)
    recall = ctp / n_true
    precision = ctp / torch.arange(1, hits.numel() + 1, dtype=torch.float64)
    r = torch.cat([torch.zeros(1, dtype=torch.float64), recall])
    p = torch.cat([precision, torch.zeros(1, dtype=torch.float64)])
    # envelope: precision at recall r is the best precision at any recall >= r
    p = torch.flip(torch.cummax(torch.flip(p, [0]), 0).values, [0])
    return float(((r[1:] - r[:-1]) * p[:-1]).sum())


def mean_ap(detections: list[tuple[torch.Tensor, torch.Tensor, torch.Tensor]],
            truths: list[torch.Tensor], num_classes: int, iou_threshold: float) -> float:
    """mAP over classes with true boxes.

    :param detections: per image ``(boxes K x 4, scores K, classes K)``.
    :param truths: per image a ``k x 5`` tensor ``(class, x1, y1, x2, y2)``.
    """
    aps = []
    for c in range(num_classes):
        scores, flags, n_true = [], [], 0
        for (boxes, sc, cls), truth in zip(detections, truths, strict=True):
            t = truth[truth[:, 0] == c, 1:]
            keep = cls == c
            n_true += int(t.shape[0])
            scores.append(sc[keep])
            flags.append(match(boxes[keep], sc[keep], t, iou_threshold))
        ap = average_precision(torch.cat(scores), torch.cat(flags), n_true)
        if ap == ap:  # classes without true boxes do not count
            aps.append(ap)
    return float(sum(aps) / len(aps)) if aps else float("nan")
