"""Underwater enhancement across plugins: the enhancer in front of a vision-models classifier,
and before/after grids in the report of an image-to-image run. Needs robustkit-underwater and
robustkit-vision-models."""

from __future__ import annotations

import pytest

from robustkit import Pipeline
from robustkit.report import build_report
from robustkit.store import Store

pytest.importorskip("robustkit_underwater")
pytest.importorskip("robustkit_vision_models")

SEVERE = "underwater[severity=5]"


def test_enhancer_in_front_of_a_classifier_recovers_accuracy_under_water(tmp_path):
    common = dict(dataset={"name": "color-digits", "size": 8},
                  model={"name": "small-cnn", "channels": 16}, metrics=["accuracy"],
                  perturbations=[{"name": "underwater", "severity": 5.0}],
                  training={"epochs": 10, "lr": 0.003}, threads=1, store=tmp_path / "r.db")
    plain = Pipeline(**common).run()
    enhanced = Pipeline(**common, defenses=[{"name": "underwater-enhancer", "epochs": 8,
                                             "growth": 6, "layers": 2, "lr": 0.005}]).run()
    assert plain.value("accuracy", SEVERE) < plain.value("accuracy") - 0.2  # water hurts
    gain = enhanced.value("accuracy", SEVERE) - plain.value("accuracy", SEVERE)
    assert gain > 0.08
    assert enhanced.value("accuracy") > plain.value("accuracy") - 0.03  # clean kept


def test_report_of_an_enhancement_run_shows_before_after_grids(tmp_path):
    result = Pipeline(
        dataset={"name": "underwater-pairs", "train_images": ["astronaut"],
                 "test_images": ["chelsea"], "scale": 0.25, "patch": 32, "variants": 1},
        model="dark-channel-prior", metrics=["psnr", "ssim"],
        perturbations=[{"name": "underwater", "severity": 2.0}], store=tmp_path / "r.db",
    ).run()
    assert result.value("ssim.output") > 0  # training-free model ran through the trainer
    with Store(tmp_path / "r.db") as db:
        kept = db.examples(result.run_id)
        report = build_report(db, run_ids=[result.run_id], metric="psnr.output")
    assert set(kept) == {"clean", "underwater[severity=2]"}
    assert kept["clean"]["input"].shape == (6, 3, 32, 32)
    report.write(tmp_path / "report")
    assert len(list((tmp_path / "report").glob("examples-*.png"))) == 2
