"""The stored catalog is what the installed torchattacks gives; params models are sound."""

import pytest
from pydantic import ValidationError
from robustkit_torchattacks.params import catalog, entries, params_model


def test_stored_catalog_matches_installed_torchattacks():
    pytest.importorskip("torchattacks")
    from robustkit_torchattacks import generate

    assert generate.build() == catalog(), (
        "catalog.json is stale: run `python -m robustkit_torchattacks.generate`")


def test_catalog_has_the_usual_attacks_and_needs():
    e = entries()
    assert {"ta-pgd", "ta-fgsm", "ta-cw", "ta-autoattack", "ta-square", "ta-deepfool"} <= set(e)
    assert e["ta-pgd"]["needs"] == "gradients" and e["ta-square"]["needs"] == "scores"
    assert "ta-multiattack" not in e and "trainloader" in catalog()["skipped"]["LGV"]
    assert e["ta-autoattack"]["from_run"] == ["n_classes", "seed"]


def test_params_types_and_bounds():
    cw = params_model("ta-cw")
    assert cw(c=0.5).c == 0.5  # an int default of a real-valued argument is a float
    with pytest.raises(ValidationError, match="steps"):
        cw(steps=-1)
    pgd = params_model("ta-pgd")()
    assert pgd.eps == pytest.approx(8 / 255) and pgd.targeted is False
    assert "n_classes" not in params_model("ta-autoattack").model_fields  # from DataInfo
