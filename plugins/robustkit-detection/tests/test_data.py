"""The tea-sprout generator and the YOLO-format loader (on files the tests write)."""

import numpy as np
import pytest
import torch
from PIL import Image
from robustkit_detection.boxes import check_targets, split_targets
from robustkit_detection.params import SproutParams, YoloFolderParams
from robustkit_detection.sprouts import TeaSprouts
from robustkit_detection.yolo import YoloFolder

from robustkit.errors import DataError

SMALL = dict(n_train=48, n_test=16)


def test_sprouts_are_seeded_valid_and_graded():
    a = TeaSprouts(SproutParams(**SMALL)).load(3)
    b = TeaSprouts(SproutParams(**SMALL)).load(3)
    c = TeaSprouts(SproutParams(**SMALL)).load(4)
    assert torch.equal(a.x_train, b.x_train) and torch.equal(a.y_test, b.y_test)
    assert not torch.equal(a.x_train, c.x_train)
    a.validate()
    check_targets(a.y_train, 3, (64, 64))
    boxes = torch.cat(split_targets(a.y_train))
    counts = [len(split_targets(a.y_train)[i]) for i in range(48)]
    assert min(counts) >= 1 and max(counts) <= 6
    area = (boxes[:, 3] - boxes[:, 1]) * (boxes[:, 4] - boxes[:, 2])
    means = [float(area[boxes[:, 0] == g].mean()) for g in range(3)]
    assert means[0] < means[1] < means[2]  # grades differ in size
    assert float(area.max()) < 0.05 * 64 * 64  # small objects


def test_sprout_controls_change_the_images():
    base = TeaSprouts(SproutParams(**SMALL, lighting=0.0)).load(0)
    lit = TeaSprouts(SproutParams(**SMALL, lighting=1.0)).load(0)
    # the same scene (boxes) under stronger lighting: brightness spreads more between images
    assert torch.equal(base.y_train, lit.y_train)
    assert lit.x_train.mean((1, 2, 3)).std() > 1.5 * base.x_train.mean((1, 2, 3)).std()


def write_split(root, split, images, labels):
    (root / split / "images").mkdir(parents=True)
    (root / split / "labels").mkdir(parents=True)
    for name, (h, w) in images.items():
        arr = np.full((h, w, 3), 100, np.uint8)
        Image.fromarray(arr).save(root / split / "images" / f"{name}.png")
    for name, text in labels.items():
        (root / split / "labels" / f"{name}.txt").write_text(text)


def test_yolo_folder_loads_pixel_boxes(tmp_path):
    write_split(tmp_path, "train", {"a": (16, 32), "b": (16, 32)},
                {"a": "1 0.5 0.5 0.25 0.5\n0 0.125 0.25 0.25 0.5\n"})  # b has no label file
    write_split(tmp_path, "test", {"c": (16, 32)}, {"c": "\n2 0.75 0.75 0.5 0.5\n"})
    data = YoloFolder(YoloFolderParams(root=str(tmp_path), num_classes=3)).load(0)
    data.validate()
    assert data.info.input_shape == (3, 16, 32)
    assert data.x_train.shape == (2, 3, 16, 32)
    assert data.x_train[0, 0, 0, 0].item() == pytest.approx(100 / 255)
    assert data.y_train[0].tolist() == [[1, 12, 4, 20, 12], [0, 0, 0, 8, 8]]
    assert data.y_train[1, :, 0].tolist() == [-1, -1]  # an image without labels: no boxes
    assert data.y_test.shape == (1, 2, 5)  # padded to the train split's width
    assert data.y_test[0, 0].tolist() == [2, 16, 8, 32, 16]


def test_yolo_folder_resizes_boxes_with_images(tmp_path):
    write_split(tmp_path, "train", {"a": (16, 32)}, {"a": "0 0.5 0.5 0.5 0.5\n"})
    write_split(tmp_path, "test", {"b": (20, 20)}, {})
    data = YoloFolder(YoloFolderParams(root=str(tmp_path), num_classes=1, image_size=8)).load(0)
    assert data.x_test.shape == (1, 3, 8, 8)
    assert data.y_train[0, 0].tolist() == [0, 2, 2, 6, 6]


@pytest.mark.parametrize("text, message", [
    ("0 0.5 0.5 0.2\n", "expected 5 fields"),
    ("0 0.5 abc 0.2 0.2\n", "must be numbers"),
    ("0 1.2 0.5 0.2 0.2\n", r"in \[0, 1\]"),
    ("0 0.5 0.5 0 0.2\n", r"in \(0, 1\]"),
    ("0 0.95 0.5 0.2 0.2\n", "outside the image"),
    ("3 0.5 0.5 0.2 0.2\n", r"not an integer in \[0, 3\)"),
    ("0.5 0.5 0.5 0.2 0.2\n", "not an integer"),
])
def test_yolo_folder_rejects_bad_labels_naming_file_and_line(tmp_path, text, message):
    write_split(tmp_path, "train", {"a": (8, 8)}, {"a": "0 0.5 0.5 0.5 0.5\n" + text})
    write_split(tmp_path, "test", {"b": (8, 8)}, {})
    with pytest.raises(DataError, match=message) as err:
        YoloFolder(YoloFolderParams(root=str(tmp_path), num_classes=3)).load(0)
    assert "a.txt:2" in str(err.value)


def test_yolo_folder_rejects_missing_and_mismatched_files(tmp_path):
    params = YoloFolderParams(root=str(tmp_path), num_classes=1)
    with pytest.raises(DataError, match="images/"):
        YoloFolder(params).load(0)
    write_split(tmp_path, "train", {"a": (8, 8)}, {"a": "0 0.5 0.5 0.5 0.5\n",
                                                   "ghost": "0 0.5 0.5 0.5 0.5\n"})
    write_split(tmp_path, "test", {"b": (8, 8)}, {})
    with pytest.raises(DataError, match="without an image.*ghost.txt"):
        YoloFolder(params).load(0)
    (tmp_path / "train" / "labels" / "ghost.txt").unlink()
    Image.fromarray(np.zeros((9, 8, 3), np.uint8)).save(tmp_path / "train" / "images" / "c.png")
    with pytest.raises(DataError, match="set image_size"):
        YoloFolder(params).load(0)
    (tmp_path / "train" / "images" / "c.png").write_bytes(b"not a png")
    with pytest.raises(DataError, match="not a readable image"):
        YoloFolder(params).load(0)
    with pytest.raises(DataError, match="not a folder"):
        YoloFolder(YoloFolderParams(root=str(tmp_path / "nope"), num_classes=1)).load(0)
