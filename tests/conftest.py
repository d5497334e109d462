from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))


@pytest.fixture
def toy_host():
    """A PluginHost holding only the toy plugin: kernel tests independent of what's installed."""
    import toy_plugin

    from robustkit.plugins import PluginHost

    return PluginHost(load_entry_points=False, extra=[toy_plugin])


@pytest.fixture
def toy_config(tmp_path):
    from robustkit import Pipeline

    return Pipeline(dataset="toy", model="linear", perturbations=["shift"], metrics=["acc"],
                    training={"epochs": 5, "batch_size": 32, "lr": 0.05},
                    store=tmp_path / "results.db")
