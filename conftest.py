"""Repository-wide test setup.

robustkit-mlflow exports every pipeline run to ./mlruns once installed; the test suite runs
hundreds of pipelines, so export is off here (its own tests switch it on, to a temp store).
"""

import os

os.environ.setdefault("ROBUSTKIT_MLFLOW", "off")


def pytest_collection_modifyitems(config, items):
    """Integration and packaging tests run whole pipelines, sweeps and fresh venvs: all slow.
    ``pytest -m "not slow"`` is the fast loop a contributor runs while working (README)."""
    import pytest

    slow_dirs = {"integration", "packaging"}
    for item in items:
        parts = item.path.parts
        if "tests" in parts and slow_dirs & set(parts[parts.index("tests") + 1:-1]):
            item.add_marker(pytest.mark.slow)
