"""An expensive attack can run on fewer test samples than the rest of the pipeline."""

import pytest

from robustkit import Pipeline
from robustkit.config import ComponentRef
from robustkit.errors import ConfigError


def test_samples_is_kept_apart_from_params_and_omitted_when_unset():
    ref = ComponentRef.model_validate({"name": "shift", "amount": 0.3, "samples": 20})
    assert ref.params == {"amount": 0.3} and ref.samples == 20
    assert "samples" not in ComponentRef(name="shift").model_dump()  # hashes stay as before
    assert ref.model_dump()["samples"] == 20


def test_a_perturbation_is_scored_on_its_own_samples(toy_host, tmp_path):
    def run(perturbations, **kw):
        return Pipeline(dataset="toy", model="linear", metrics=["acc"], training={"epochs": 3},
                        perturbations=perturbations, store=tmp_path / "r.db", **kw
                        ).run(host=toy_host)

    mixed = run([{"name": "shift", "amount": 0.2},
                 {"name": "shift", "amount": [0.4, 0.6], "samples": 7}])
    whole = run([{"name": "shift", "amount": [0.2, 0.4, 0.6]}])
    first7 = run([{"name": "shift", "amount": [0.2, 0.4, 0.6]}], eval_samples=7)
    assert mixed.value("acc", "shift[amount=0.2]") == whole.value("acc", "shift[amount=0.2]")
    for label in ("shift[amount=0.4]", "shift[amount=0.6]"):
        assert mixed.value("acc", label) == first7.value("acc", label)
    assert mixed.value("acc", "clean") == whole.value("acc", "clean")
    assert whole.value("acc", "shift[amount=0.6]") != first7.value("acc", "shift[amount=0.6]")


def test_samples_elsewhere_is_refused(toy_host, tmp_path):
    with pytest.raises(ConfigError, match="samples"):
        Pipeline(dataset={"name": "toy", "samples": 5}, model="linear", metrics=["acc"],
                 store=tmp_path / "r.db").run(host=toy_host)
