"""IoU, NMS and the label convention, on hand-made cases."""

import pytest
import torch
from robustkit_detection.boxes import box_iou, check_targets, nms, pad_targets, split_targets

from robustkit.errors import DataError


def test_iou_hand_values():
    a = torch.tensor([[0.0, 0.0, 10.0, 10.0]])
    b = torch.tensor([[5.0, 0.0, 15.0, 10.0], [20.0, 20.0, 30.0, 30.0], [0.0, 0.0, 10.0, 10.0]])
    assert box_iou(a, b)[0].tolist() == pytest.approx([50 / 150, 0.0, 1.0])


def test_nms_keeps_the_best_of_an_overlapping_pair_and_distant_boxes():
    boxes = torch.tensor([[0.0, 0, 10, 10], [1.0, 0, 11, 10], [20.0, 20, 30, 30]])
    scores = torch.tensor([0.8, 0.9, 0.7])
    # boxes 0 and 1 overlap at IoU 90/110 = 0.82: the higher-scoring box 1 survives
    assert nms(boxes, scores, 0.5).tolist() == [1, 2]
    # with a threshold above their IoU nothing is suppressed; order is by score
    assert nms(boxes, scores, 0.9).tolist() == [1, 0, 2]


def test_nms_suppresses_only_strictly_above_the_threshold():
    boxes = torch.tensor([[0.0, 0, 10, 10], [0.0, 0, 10, 5]])  # IoU exactly 0.5
    scores = torch.tensor([0.9, 0.8])
    assert nms(boxes, scores, 0.5).tolist() == [0, 1]
    assert nms(boxes, scores, 0.49).tolist() == [0]


def test_nms_is_chained_greedily_not_transitively():
    # A suppresses B; B would have suppressed C, but B is gone, so C (IoU with A = 0) stays
    boxes = torch.tensor([[0.0, 0, 10, 10], [6.0, 0, 16, 10], [12.0, 0, 22, 10]])
    scores = torch.tensor([0.9, 0.8, 0.7])
    assert nms(boxes, scores, 0.2).tolist() == [0, 2]


def test_nms_per_class_and_empty():
    boxes = torch.tensor([[0.0, 0, 10, 10], [0.0, 0, 10, 10]])
    scores = torch.tensor([0.9, 0.8])
    assert nms(boxes, scores, 0.5, classes=torch.tensor([0, 1])).tolist() == [0, 1]
    assert nms(boxes, scores, 0.5, classes=torch.tensor([1, 1])).tolist() == [0]
    assert nms(torch.zeros(0, 4), torch.zeros(0), 0.5).numel() == 0


def test_pad_and_split_round_trip():
    per = [torch.tensor([[1.0, 0, 0, 4, 4]]), torch.zeros(0, 5),
           torch.tensor([[0.0, 1, 1, 2, 2], [2.0, 3, 3, 5, 6]])]
    y = pad_targets(per)
    assert y.shape == (3, 2, 5) and y[1, :, 0].tolist() == [-1, -1]
    back = split_targets(y)
    assert all(torch.equal(a, b) for a, b in zip(per, back, strict=True))


@pytest.mark.parametrize("bad, message", [
    (torch.zeros(2, 5), "N x M x 5"),
    (torch.tensor([[[3.0, 0, 0, 4, 4]]]), "class ids"),
    (torch.tensor([[[0.0, 5, 0, 4, 4]]]), "x2 > x1"),
    (torch.tensor([[[0.0, 0, 0, 40, 4]]]), "inside"),
    (torch.tensor([[[0.0, float("nan"), 0, 4, 4]]]), "NaN"),
])
def test_check_targets_names_the_problem(bad, message):
    with pytest.raises(DataError, match=message):
        check_targets(bad, num_classes=3, size=(16, 16))
