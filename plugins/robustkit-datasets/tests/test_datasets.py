import pytest
import torch
from robustkit_datasets import plugin
from robustkit_datasets.embedded import Blobs, Digits
from robustkit_datasets.params import BlobsParams, DigitsParams

from robustkit import Modality, ParamsError, Task
from robustkit.plugins import PluginHost


def test_digits_are_1x8x8_images_in_unit_range_with_all_classes():
    b = Digits(DigitsParams()).load(seed=0).validate()
    assert b.x_train.shape[1:] == (1, 8, 8) and b.info.input_shape == (1, 8, 8)
    assert b.info.task is Task.CLASSIFICATION and b.info.modality is Modality.IMAGE
    assert len(b.x_train) + len(b.x_test) == 1797
    assert float(b.x_train.min()) == 0.0 and float(b.x_train.max()) == 1.0
    # stratified: every class is in the test split in proportion
    counts = torch.bincount(b.y_test, minlength=10)
    assert counts.min() >= 40


def test_split_is_seeded():
    a, b, c = (Digits(DigitsParams()).load(seed=s) for s in (0, 0, 1))
    assert torch.equal(a.x_test, b.x_test)
    assert not torch.equal(a.x_test, c.x_test)


def test_blobs_are_scaled_into_bounds_and_seeded():
    p = BlobsParams(n_samples=300, n_features=5, n_classes=4)
    a = Blobs(p).load(seed=3).validate()
    assert a.x_train.shape[1:] == (5,) and a.info.num_classes == 4
    assert torch.equal(a.x_train, Blobs(p).load(seed=3).x_train)
    assert not torch.equal(a.x_train, Blobs(p).load(seed=4).x_train)


def test_registration_and_param_bounds():
    host = PluginHost(load_entry_points=False, extra=[plugin])
    spec = host.registry.get(__import__("robustkit").Kind.DATASET, "digits")
    with pytest.raises(ParamsError, match="test_fraction"):
        spec.validate_params({"test_fraction": 0.99})
