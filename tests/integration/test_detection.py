"""A detection pipeline end to end: tea sprouts, the sprout detector, the corruption suite
(robustkit-corruptions), the detection attack, and the detection metrics."""

import pytest

from robustkit import Pipeline
from robustkit.errors import ConfigError

TINY = {"name": "tea-sprouts", "n_train": 192, "n_test": 48, "image_size": 32,
        "max_sprouts": 3}


def test_detection_pipeline_scores_corruptions_and_the_attack(tmp_path):
    result = Pipeline(
        dataset=TINY, model={"name": "sprout-detector", "width": 8},
        perturbations=[{"name": "gaussian-noise-c", "severity": 5},
                       {"name": "detection-pgd", "eps": 8 / 255, "steps": 3}],
        metrics=["map50", "map50-95", "box-precision", "box-recall"],
        training={"epochs": 12, "lr": 0.006, "batch_size": 32}, threads=1,
        store=tmp_path / "r.db",
    ).run()
    label = {lb.split("[")[0]: lb for lb in result.labels()}
    clean = result.value("map50", "clean")
    assert clean > 0.1  # a 12-epoch model on 192 images; learning itself is unit-tested
    assert result.value("map50-95", "clean") < clean  # stricter IoUs can only lose
    assert result.value("map50", label["detection-pgd"]) < 0.5 * clean
    assert result.value("map50", label["gaussian-noise-c"]) < clean


def test_classification_metrics_are_refused_on_detection_before_training(tmp_path):
    with pytest.raises(ConfigError, match="detection"):
        Pipeline(dataset=TINY, model="sprout-detector", metrics=["accuracy"],
                 store=tmp_path / "r.db").run()
