"""AP and mAP against values computed by hand (all-point interpolation), and the metrics
end-to-end on dense outputs crafted to encode known boxes."""

import math

import pytest
import torch
from robustkit_detection.ap import average_precision, mean_ap
from robustkit_detection.metrics import MAP50, MAP5095, BoxPrecision, BoxRecall
from robustkit_detection.params import DetectionMetricParams, PRMetricParams

from robustkit.components import DataInfo, Modality, Task
from robustkit.data import Evaluation


def det(boxes, scores, classes):
    return (torch.tensor(boxes, dtype=torch.float32).reshape(-1, 4), torch.tensor(scores),
            torch.tensor(classes))


GT = torch.tensor([[0.0, 0, 0, 10, 10], [0.0, 20, 20, 30, 30]])


def test_ap_tp_fp_tp():
    # ranked: TP (P=1, R=.5), FP (P=.5, R=.5), TP (P=2/3, R=1)
    # envelope: 1 on (0, .5], 2/3 on (.5, 1] -> AP = .5 * 1 + .5 * 2/3 = 0.8333...
    dets = [det([[0, 0, 10, 10], [50, 50, 60, 60], [20, 20, 30, 30]], [0.9, 0.8, 0.7],
                [0, 0, 0])]
    assert mean_ap(dets, [GT], 1, 0.5) == pytest.approx(0.5 + 0.5 * 2 / 3)


def test_ap_duplicate_is_a_false_positive_and_a_miss_caps_recall():
    # second box on the same truth is FP; the other truth is never found:
    # P/R = (1, .5), (.5, .5) -> AP = .5
    dets = [det([[0, 0, 10, 10], [0, 0, 10, 10]], [0.9, 0.8], [0, 0])]
    assert mean_ap(dets, [GT], 1, 0.5) == pytest.approx(0.5)


def test_ap_fp_first():
    # FP (P=0, R=0), TP (P=.5, R=.5), TP (P=2/3, R=1): envelope 2/3 everywhere -> AP = 2/3
    dets = [det([[50, 50, 60, 60], [0, 0, 10, 10], [20, 20, 30, 30]], [0.9, 0.8, 0.7],
                [0, 0, 0])]
    assert mean_ap(dets, [GT], 1, 0.5) == pytest.approx(2 / 3)


def test_map_averages_classes_with_truths_and_ignores_empty_classes():
    truth = torch.tensor([[0.0, 0, 0, 10, 10], [1.0, 20, 20, 30, 30], [1.0, 40, 40, 50, 50]])
    dets = [det([[0, 0, 10, 10], [20, 20, 30, 30], [2, 2, 8, 8]], [0.9, 0.8, 0.5], [0, 1, 2])]
    # class 0: AP 1; class 1: one of two found at P=1 -> AP .5; class 2 has no truth: ignored
    assert mean_ap(dets, [truth], 3, 0.5) == pytest.approx(0.75)


def test_iou_thresholds_of_map50_95():
    # a detection shifted by 2 px on a 10x10 box: IoU = 80/120 = 0.667, a TP for the
    # thresholds 0.50, 0.55, 0.60, 0.65 only -> mAP@0.5:0.95 = 4/10
    truth = torch.tensor([[0.0, 0, 0, 10, 10]])
    dets = [det([[2, 0, 12, 10]], [0.9], [0])]
    thresholds = [0.5 + 0.05 * i for i in range(10)]
    values = [mean_ap(dets, [truth], 1, t) for t in thresholds]
    assert values == [1.0] * 4 + [0.0] * 6


def test_average_precision_edge_cases():
    assert math.isnan(average_precision(torch.zeros(0), torch.zeros(0, dtype=torch.bool), 0))
    assert average_precision(torch.zeros(0), torch.zeros(0, dtype=torch.bool), 3) == 0.0


def dense(boxes, classes, num_classes=2, size=32, stride=4):
    """Raw head outputs that decode to exactly ``boxes`` (centre cell, offset, log size)."""
    g = size // stride
    out = torch.full((1, 5 + num_classes, g, g), -10.0)
    for (x1, y1, x2, y2), c in zip(boxes, classes, strict=True):
        cx, cy = (x1 + x2) / 2 / stride, (y1 + y2) / 2 / stride
        col, row = int(cx), int(cy)
        fx, fy = cx - col, cy - row
        out[0, 0, row, col] = 10.0
        out[0, 1, row, col] = math.log(fx / (1 - fx))
        out[0, 2, row, col] = math.log(fy / (1 - fy))
        out[0, 3, row, col] = math.log((x2 - x1) / stride)
        out[0, 4, row, col] = math.log((y2 - y1) / stride)
        out[0, 5 + c, row, col] = 10.0
    return out


def evaluation(outputs, truth, num_classes=2, size=32):
    info = DataInfo(Task.DETECTION, Modality.IMAGE, (3, size, size), num_classes=num_classes)
    x = torch.zeros(outputs.shape[0], 3, size, size)
    return Evaluation(truth, outputs, x, x, outputs, info)


def test_metrics_on_decoded_dense_outputs():
    truth = torch.tensor([[[0.0, 2, 2, 8, 10], [1.0, 17, 13, 25, 21], [-1.0, 0, 0, 0, 0]]])
    perfect = evaluation(dense([(2, 2, 8, 10), (17, 13, 25, 21)], [0, 1]), truth)
    for metric in (MAP50(DetectionMetricParams()), MAP5095(DetectionMetricParams())):
        assert metric.compute(perfect) == pytest.approx(1.0)
    # the class-1 box predicted as class 0: class 0 has one TP then one FP -> AP 1; class 1
    # is never found -> AP 0; mAP = 0.5. Precision 1/2, recall 1/2.
    wrong = evaluation(dense([(2, 2, 8, 10), (17, 13, 25, 21)], [0, 0]), truth)
    assert MAP50(DetectionMetricParams()).compute(wrong) == pytest.approx(0.5)
    assert BoxPrecision(PRMetricParams()).compute(wrong) == pytest.approx(0.5)
    assert BoxRecall(PRMetricParams()).compute(wrong) == pytest.approx(0.5)


def test_metrics_empty_and_wrong_outputs():
    empty = evaluation(torch.zeros(0, 7, 8, 8), torch.zeros(0, 1, 5))
    assert math.isnan(MAP50(DetectionMetricParams()).compute(empty))
    from robustkit.errors import DataError

    logits = evaluation(torch.zeros(2, 2), torch.zeros(2, 1, 5))
    with pytest.raises(DataError, match="dense head outputs"):
        MAP50(DetectionMetricParams()).compute(logits)
