"""The index that names the distribution of a missing first-party component is up to date, and
a config naming a component of a plugin that is not installed says what to install."""

import json

import pytest

from robustkit.errors import UnknownComponentError
from robustkit.first_party import index


def test_the_index_matches_the_installed_first_party_plugins():
    import importlib.util
    import sys
    from pathlib import Path

    tool = Path(__file__).resolve().parents[2] / "tools" / "first_party_index.py"
    spec = importlib.util.spec_from_file_location("first_party_index", tool)
    module = importlib.util.module_from_spec(spec)
    sys.modules["first_party_index"] = module
    spec.loader.exec_module(module)
    assert module.build() == index(), (
        "robustkit/first_party.json is out of date: run `python tools/first_party_index.py`")
    assert json.loads(module.OUT.read_text())["metric"]["accuracy"] == \
        "robustkit-classification-metrics"


def test_a_missing_accuracy_names_the_distribution_to_install(toy_host):
    from robustkit.components import Kind

    with pytest.raises(UnknownComponentError) as err:
        toy_host.registry.get(Kind.METRIC, "accuracy")
    assert "pip install robustkit-classification-metrics" in str(err.value)
