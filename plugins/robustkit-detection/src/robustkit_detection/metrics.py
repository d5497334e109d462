"""Detection metrics: mAP@0.5, mAP@0.5:0.95, precision and recall.

Each metric receives the model's raw dense outputs (``Evaluation.outputs``), decodes them with
:func:`robustkit_detection.head.decode` (which runs the one NMS of this package) and scores the
detections against the padded xyxy labels. AP uses all-point interpolation (see
:mod:`robustkit_detection.ap`).
"""

from __future__ import annotations

import torch

from robustkit.data import Evaluation
from robustkit.errors import DataError
from robustkit_detection.ap import COCO_IOUS, match, mean_ap
from robustkit_detection.boxes import split_targets
from robustkit_detection.head import decode
from robustkit_detection.params import DetectionMetricParams, PRMetricParams


class _DetectionMetric:
    def __init__(self, params: DetectionMetricParams):
        self.params = params

    def detections(self, ev: Evaluation):
        out = ev.outputs
        if out.dim() != 4:
            raise DataError(f"detection metrics need dense head outputs N x (5 + C) x H' x W'; "
                            f"got shape {tuple(out.shape)}. Use a detection model such as "
                            "sprout-detector")
        height = ev.info.input_shape[-2]
        if height % out.shape[-2]:
            raise DataError(f"the output grid height {out.shape[-2]} does not divide the image "
                            f"height {height}")
        p = self.params
        dets = decode(out.cpu(), stride=height // out.shape[-2], score_threshold=p.score_threshold,
                      nms_iou=p.nms_iou, max_detections=p.max_detections)
        return dets, split_targets(ev.y_true.cpu())

    def compute(self, ev: Evaluation) -> float:
        if len(ev) == 0:
            return float("nan")
        dets, truths = self.detections(ev)
        return self.score(dets, truths, int(ev.info.num_classes or 1))

    def score(self, dets, truths, num_classes: int) -> float:
        raise NotImplementedError


class MAP50(_DetectionMetric):
    """Mean over classes of AP at IoU 0.5."""

    def score(self, dets, truths, num_classes):
        return mean_ap(dets, truths, num_classes, 0.5)


class MAP5095(_DetectionMetric):
    """mAP averaged over IoU thresholds 0.50:0.05:0.95 (COCO's thresholds)."""

    def score(self, dets, truths, num_classes):
        return sum(mean_ap(dets, truths, num_classes, t) for t in COCO_IOUS) / len(COCO_IOUS)


def _counts(dets, truths, p: PRMetricParams) -> tuple[int, int, int]:
    """(true positives, detections, true boxes) at the score threshold, class by class."""
    tp = n_det = n_true = 0
    for (boxes, scores, cls), truth in zip(dets, truths, strict=True):
        keep = scores >= p.score_threshold
        boxes, scores, cls = boxes[keep], scores[keep], cls[keep]
        n_det += int(keep.sum())
        n_true += int(truth.shape[0])
        for c in torch.unique(cls).tolist():
            t = truth[truth[:, 0] == c, 1:]
            tp += int(match(boxes[cls == c], scores[cls == c], t, p.iou).sum())
    return tp, n_det, n_true


class BoxPrecision(_DetectionMetric):
    """Share of detections (score >= threshold) that match a true box of their class."""

    def score(self, dets, truths, num_classes):
        tp, n_det, _ = _counts(dets, truths, self.params)
        return tp / n_det if n_det else float("nan")


class BoxRecall(_DetectionMetric):
    """Share of true boxes matched by a detection (score >= threshold) of their class."""

    def score(self, dets, truths, num_classes):
        tp, _, n_true = _counts(dets, truths, self.params)
        return tp / n_true if n_true else float("nan")
