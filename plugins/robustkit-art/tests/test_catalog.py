"""The stored catalog is what the installed ART gives, and every entry makes a Params model."""

import pytest
from pydantic import ValidationError
from robustkit_art import generate
from robustkit_art.params import catalog, entries, params_model

from robustkit import ParamsError


def test_stored_catalog_matches_installed_art():
    fresh = generate.build()
    stored = catalog()
    assert fresh["art_version"] == stored["art_version"]
    assert fresh == stored, "catalog.json is stale: run `python -m robustkit_art.generate`"


def test_catalog_covers_the_usual_attacks_and_skips_what_cannot_run():
    names = set(entries())
    assert {"art-pgd", "art-fgsm", "art-bim", "art-cw-l2", "art-deepfool", "art-hsj",
            "art-square", "art-zoo"} <= names
    skipped = catalog()["skipped"]
    assert "TensorFlow" in skipped["ProjectedGradientDescentTensorFlowV2"]
    assert "ObjectDetector" not in names and "DPatch" in skipped  # detector-only attack
    assert "delta" in skipped["FeatureAdversariesPyTorch"]  # required argument


def test_needs_follow_art_requirements():
    e = entries()
    assert e["art-pgd"]["needs"] == "gradients"  # LossGradientsMixin
    assert e["art-cw-l2"]["needs"] == "gradients"  # ClassGradientsMixin
    assert e["art-hsj"]["needs"] == "scores"  # BaseEstimator + ClassifierMixin only
    assert e["art-autoattack"]["needs"] == "gradients"  # default inner attacks use gradients


def test_params_models_take_types_from_art_defaults():
    m = params_model("art-pgd")
    p = m(eps=0.2, max_iter=5, norm=2)
    assert p.norm == "2" and p.max_iter == 5 and p.targeted is False
    assert m().norm == "inf" and m().eps == 0.3
    with pytest.raises(ValidationError, match="max_iter"):
        m(max_iter="many")
    with pytest.raises(ValidationError, match="unknown"):
        m(unknown=1)  # extra="forbid" from robustkit.Params
    for name in entries():  # every entry builds a model with ART's defaults
        params_model(name)()


def test_bad_norm_is_a_params_error_naming_the_attack():
    from robustkit.plugins import get_registry

    spec = get_registry().get("perturbation", "art-pgd")
    with pytest.raises(ParamsError, match="(?s)art-pgd.*norm"):
        spec.validate_params({"norm": "3"})
