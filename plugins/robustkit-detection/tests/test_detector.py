"""The detector, its modules and its loss: shapes, switches, equivalences and learning."""

import pytest
import torch
import torch.nn.functional as F
from robustkit_detection.head import assign, detection_loss
from robustkit_detection.metrics import MAP50
from robustkit_detection.modules import CARAFE, CPCA, EdgeEnhancement
from robustkit_detection.params import DetectionMetricParams

from robustkit.errors import DataError


def test_carafe_equals_reassembly_written_out_pixel_by_pixel():
    torch.manual_seed(0)
    up = CARAFE(4, k_up=3)
    x = torch.randn(2, 4, 5, 6)
    out = up(x)
    kernels = torch.softmax(F.pixel_shuffle(up.encode(up.compress(x)), 2), 1)
    padded = F.pad(x, (1, 1, 1, 1))
    ref = torch.zeros(2, 4, 10, 12)
    for i in range(10):
        for j in range(12):
            patch = padded[:, :, i // 2:i // 2 + 3, j // 2:j // 2 + 3].reshape(2, 4, 9)
            ref[:, :, i, j] = (patch * kernels[:, None, :, i, j]).sum(-1)
    assert out.shape == (2, 4, 10, 12)
    assert torch.allclose(out, ref, atol=1e-5)


def test_cpca_keeps_shape_and_attends_by_content():
    torch.manual_seed(0)
    att = CPCA(8)
    x = torch.randn(2, 8, 6, 6)
    assert att(x).shape == x.shape
    # attention multiplies the input: a zero input gives a zero map before the output bias
    assert torch.allclose(att(torch.zeros(1, 8, 6, 6)), att.out.bias.view(1, 8, 1, 1).expand(
        1, 8, 6, 6), atol=1e-6)


def test_eie_sobel_branch_finds_a_vertical_edge():
    eie = EdgeEnhancement(8, 4)
    img = torch.zeros(1, 3, 8, 8)
    img[..., 4:] = 1.0
    edges = eie.edges(img)  # gx, gy, magnitude
    assert edges[0, 0, :, 3:5].min() > 0.4 and edges[0, 0, :, :2].abs().max() == 0
    assert edges[0, 1].abs().max() == 0
    assert eie(img, torch.zeros(1, 8, 2, 2)).shape == (1, 8, 2, 2)


def test_modules_switch_on_and_off(data, build):
    names = lambda m: {n.split(".")[0] for n, _ in m.named_parameters()}  # noqa: E731
    base = build(data.info, eie=False, cpca=False, carafe=False)
    full = build(data.info)
    assert not {"eie", "cpca"} & names(base) and "up" not in names(base)
    assert {"eie", "cpca", "up"} <= names(full)
    assert isinstance(full.up, CARAFE)
    for model in (base, full):
        assert model(data.x_test[:2]).shape == (2, 8, 8, 8)  # 5 + 3 classes, stride 4


def test_forward_rejects_sizes_that_are_not_multiples_of_8(data, build):
    with pytest.raises(DataError, match="multiples of 8"):
        build(data.info)(torch.zeros(1, 3, 30, 30))


def test_assignment_puts_each_box_on_its_centre_cell():
    y = torch.tensor([[[1.0, 4, 8, 12, 12], [-1.0, 0, 0, 0, 0]]])
    heat, img, row, col, offset, size, cls = assign(y, (8, 8))
    assert (img.tolist(), row.tolist(), col.tolist(), cls.tolist()) == ([0], [2], [2], [1])
    assert heat[0, 2, 2] == 1 and int((heat == 1).sum()) == 1
    assert offset.tolist() == [[0.0, 0.5]]
    assert size[0].exp().tolist() == pytest.approx([2.0, 1.0])


def test_loss_rejects_mismatched_classes():
    with pytest.raises(DataError, match="class channels"):
        detection_loss(torch.zeros(1, 7, 4, 4), torch.zeros(1, 1, 5), num_classes=3)


@pytest.mark.slow
def test_training_learns_to_detect(data, trained, build, evaluate):
    metric = MAP50(DetectionMetricParams())
    untrained = metric.compute(evaluate(build(data.info), data))
    learned = metric.compute(evaluate(trained, data))
    assert untrained < 0.05
    assert learned > 0.3 and learned > untrained + 0.25, (untrained, learned)
