"""ctx.build(kind, ref): a component builds another named component through the kernel."""

import pytest

from robustkit import (
    DataInfo,
    IncompatibleError,
    Kind,
    Modality,
    ParamsError,
    Task,
    UnknownComponentError,
)
from robustkit.data import DefenseContext

VECTORS = DataInfo(Task.CLASSIFICATION, Modality.VECTOR, (4,), (0.0, 1.0), num_classes=2)
IMAGES = DataInfo(Task.CLASSIFICATION, Modality.IMAGE, (1, 2, 2), (0.0, 1.0), num_classes=2)
SERIES = DataInfo(Task.REGRESSION, Modality.VECTOR, (4,), (0.0, 1.0), output_dim=1)


def test_build_resolves_in_the_pipelines_registry_with_params(toy_host):
    ctx = DefenseContext(info=VECTORS, seed=0, registry=toy_host.registry)
    shift = ctx.build("perturbation", {"name": "shift", "params": {"amount": 0.3}})
    assert shift.amount == 0.3
    model = ctx.build(Kind.MODEL, "linear").build(VECTORS)
    assert model(__import__("torch").rand(2, 4)).shape == (2, 2)


def test_build_refuses_what_does_not_fit_the_data(toy_host):
    with pytest.raises(IncompatibleError, match="model 'linear' does not accept image"):
        DefenseContext(info=IMAGES, seed=0, registry=toy_host.registry).build("model", "linear")
    with pytest.raises(IncompatibleError, match="does not serve regression"):
        DefenseContext(info=SERIES, seed=0, registry=toy_host.registry).build("model", "linear")


def test_build_names_unknown_components_and_bad_params(toy_host):
    ctx = DefenseContext(info=VECTORS, seed=0, registry=toy_host.registry)
    with pytest.raises(UnknownComponentError, match="Did you mean 'shift'"):
        ctx.build("perturbation", "shfit")
    with pytest.raises(ParamsError, match="amount = 7"):
        ctx.build("perturbation", {"name": "shift", "amount": 7})
