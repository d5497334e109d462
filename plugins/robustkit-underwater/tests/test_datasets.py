"""The pairs data set and the coloured digits."""

import numpy as np
import pytest
import torch
from robustkit_underwater.datasets import ColorDigits, UnderwaterPairs
from robustkit_underwater.params import ColorDigitsParams, PairsParams
from robustkit_underwater.plugin import robustkit_register_datasets  # noqa: F401

from robustkit.errors import DataError, ParamsError


def _small(**kw):
    base = dict(train_images=["astronaut"], test_images=["chelsea"], scale=0.25, patch=32,
                variants=2)
    return PairsParams(**{**base, **kw})


def test_pairs_are_degraded_inputs_of_clean_targets_from_held_out_photos():
    b = UnderwaterPairs(_small()).load(0).validate()
    # astronaut 512 px at 0.25 -> 4 x 4 patches of 32, twice; chelsea 300 x 451 -> 2 x 3, twice
    assert b.x_train.shape == (32, 3, 32, 32) and b.x_test.shape == (12, 3, 32, 32)
    assert (b.x_train - b.y_train).abs().mean() > 0.03  # the water changed them
    assert torch.equal(b.y_train[:16], b.y_train[16:])  # variants share the clean patch
    assert not torch.equal(b.x_train[:16], b.x_train[16:])  # ... under different water
    # no test patch equals any training target: the photographs differ
    d = torch.cdist(b.y_test.flatten(1), b.y_train.flatten(1))
    assert d.min() > 1.0


def test_pairs_are_seeded():
    a, b, c = (UnderwaterPairs(_small()).load(s) for s in (0, 0, 1))
    assert torch.equal(a.x_train, b.x_train) and not torch.equal(a.x_train, c.x_train)


def test_shared_photo_between_splits_is_refused():
    with pytest.raises(ValueError, match="held out"):
        PairsParams(train_images=["chelsea"], test_images=["chelsea"])


def test_folder_of_images_is_split_and_a_corrupt_file_named(tmp_path):
    from skimage.io import imsave

    rng = np.random.default_rng(0)
    for i in range(4):
        imsave(tmp_path / f"im{i}.png", (rng.random((40, 40, 3)) * 255).astype(np.uint8),
               check_contrast=False)
    b = UnderwaterPairs(_small(folder=str(tmp_path), scale=1.0, variants=1)).load(0)
    assert b.x_train.shape == (3, 3, 32, 32) and b.x_test.shape == (1, 3, 32, 32)
    (tmp_path / "im9.png").write_bytes(b"not a png")
    with pytest.raises(DataError, match="(?s)im9.png.*remove or replace"):
        UnderwaterPairs(_small(folder=str(tmp_path))).load(0)
    (tmp_path / "im9.png").unlink()
    imsave(tmp_path / "grey.png", np.zeros((40, 40), np.uint8), check_contrast=False)
    with pytest.raises(DataError, match="grey.png is L"):
        UnderwaterPairs(_small(folder=str(tmp_path))).load(0)


def test_folder_errors_are_clear(tmp_path):
    with pytest.raises(DataError, match="does not exist"):
        UnderwaterPairs(_small(folder=str(tmp_path / "nope"))).load(0)
    with pytest.raises(DataError, match="at least 2"):
        UnderwaterPairs(_small(folder=str(tmp_path))).load(0)


def test_patch_too_large_for_the_photos_is_a_clear_error():
    with pytest.raises(DataError, match="raise scale or lower patch"):
        UnderwaterPairs(_small(scale=0.05, patch=64)).load(0)


def test_color_digits_are_rgb_with_legible_contrast():
    b = ColorDigits(ColorDigitsParams()).load(0).validate()
    assert b.x_train.shape[1:] == (3, 16, 16) and b.info.num_classes == 10
    assert b.x_train.shape[0] + b.x_test.shape[0] == 1797
    lum = b.x_train.mean(1)  # ink and paper differ in brightness in every image
    assert (lum.amax((1, 2)) - lum.amin((1, 2))).min() > 0.2
    colours = b.x_train[:, :, 0, 0]
    assert colours.std(0).min() > 0.1  # backgrounds vary in colour


def test_bad_params_are_refused():
    from robustkit.components import Kind
    from robustkit.registry import make_spec

    spec = make_spec(Kind.DATASET, "underwater-pairs", "x:y", "underwater", params=PairsParams)
    with pytest.raises(ParamsError, match="severity_min"):
        spec.validate_params({"severity_min": 4.0, "severity_max": 2.0})
    with pytest.raises(ParamsError, match="train_images"):
        spec.validate_params({"train_images": ["lena"]})
