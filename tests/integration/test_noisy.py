"""Corruptions, label noise, noise-robust losses and loaders in full pipelines (needs the
datasets, vision-models, classification-metrics, corruptions, label-noise and loaders
plugins)."""

from __future__ import annotations

import numpy as np
import pytest

from robustkit import Pipeline

pytest.importorskip("robustkit_corruptions")
pytest.importorskip("robustkit_label_noise")


def test_corruption_suite_and_mce(tmp_path):
    common = dict(dataset="digits", model="small-cnn", store=tmp_path / "r.db",
                  training={"epochs": 5, "lr": 0.002}, cache=False,
                  perturbations=[{"name": "illumination-gradient", "severity": [1, 5]},
                                 {"name": "gaussian-blur", "severity": [1, 5]}],
                  metrics=["accuracy", "corruption-error"])
    base = Pipeline(**common).run()
    clean = base.value("accuracy")
    assert clean > 0.85
    low = base.value("accuracy", "illumination-gradient[severity=1]")
    high = base.value("accuracy", "illumination-gradient[severity=5]")
    assert high < low <= clean + 0.01
    from robustkit_corruptions.metrics import corruption_errors

    out = corruption_errors(base, base)
    assert set(out["ce"]) == {"illumination-gradient", "gaussian-blur"}
    assert out["mce"] == pytest.approx(1.0)


def test_label_noise_and_awl_in_a_pipeline(tmp_path):
    # an MLP keeps this cheap; 40 epochs let cross-entropy fit the wrong labels
    common = dict(dataset="digits", model={"name": "mlp", "hidden": [256, 256]},
                  store=tmp_path / "r.db", cache=False,
                  train_perturbations=[{"name": "symmetric-label-noise", "rate": 0.8}],
                  training={"epochs": 40, "lr": 0.001})
    ce = Pipeline(**common).run().value("accuracy")
    awl = Pipeline(**common, defenses=["awl-loss"]).run().value("accuracy")
    assert awl > ce + 0.1, (awl, ce)


def test_loader_feeds_a_pipeline(tmp_path):
    pytest.importorskip("robustkit_loaders")
    from sklearn.datasets import load_digits

    raw = load_digits()
    x, y = raw.data / 16.0, raw.target
    np.savez(tmp_path / "tr.npz", x=x[:1200], y=y[:1200])
    np.savez(tmp_path / "te.npz", x=x[1200:], y=y[1200:])
    result = Pipeline(dataset={"name": "arrays-image", "train": str(tmp_path / "tr.npz"),
                               "test": str(tmp_path / "te.npz"), "input_shape": [1, 8, 8],
                               "bounds": [0, 1]},
                      model="small-cnn", training={"epochs": 5, "lr": 0.002},
                      perturbations=[{"name": "jpeg", "severity": 5}],
                      store=tmp_path / "r.db", cache=False).run()
    assert result.value("accuracy") > 0.85


def test_gmm_reconstruction_restores_accuracy_under_illumination(tmp_path):
    pytest.importorskip("robustkit_gmm")
    # the same trained CNN (cached) with and without the reconstruction in front
    common = dict(dataset="digits", model="small-cnn", store=tmp_path / "r.db",
                  training={"epochs": 10, "lr": 0.002},
                  perturbations=[{"name": "illumination-gradient", "severity": 5}])
    label = "illumination-gradient[severity=5]"
    plain = Pipeline(**common).run()
    defended = Pipeline(**common, defenses=["gmm-reconstruction"]).run()
    assert defended.value("accuracy", label) > plain.value("accuracy", label) + 0.15
    assert defended.value("accuracy") > plain.value("accuracy") - 0.03
