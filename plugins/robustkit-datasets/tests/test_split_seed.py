"""A fixed split: seeds vary the initialisation without varying the data."""

import torch
from robustkit_datasets.embedded import Blobs, Digits
from robustkit_datasets.params import BlobsParams, DigitsParams


def test_digits_split_follows_the_run_seed_by_default():
    a, b = Digits(DigitsParams()).load(1), Digits(DigitsParams()).load(2)
    assert not torch.equal(a.y_test, b.y_test) or not torch.equal(a.x_test, b.x_test)


def test_digits_split_seed_fixes_the_test_set_across_run_seeds():
    fixed = DigitsParams(split_seed=0)
    a, b = Digits(fixed).load(1), Digits(fixed).load(2)
    assert torch.equal(a.x_test, b.x_test) and torch.equal(a.y_train, b.y_train)
    other = Digits(DigitsParams(split_seed=1)).load(1)
    assert not torch.equal(a.x_test, other.x_test)


def test_blobs_split_seed_fixes_the_data():
    fixed = BlobsParams(split_seed=3)
    a, b = Blobs(fixed).load(0), Blobs(fixed).load(9)
    assert torch.equal(a.x_train, b.x_train) and torch.equal(a.x_test, b.x_test)
