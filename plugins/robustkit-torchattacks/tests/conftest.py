"""Shared fixtures: a seeded trained classifier and the context an attack on it receives
(from robustkit.testing, so the adapters' tests use the same model)."""

from __future__ import annotations

import pytest

from robustkit.testing.synthetic import trained_cluster_mlp, vector_context


@pytest.fixture(scope="module")
def trained():
    return trained_cluster_mlp()


@pytest.fixture
def ctx_for():
    return vector_context
