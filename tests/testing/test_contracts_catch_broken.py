"""The contract tests fail on deliberately broken components, with a message saying what to
fix, and pass on components that keep the contracts."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from robustkit.testing import ContractFailure, ContractSuite, check_component


def _load_broken():
    path = Path(__file__).with_name("broken_plugin.py")
    spec = importlib.util.spec_from_file_location("robustkit_contract_fixtures", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


BROKEN = _load_broken()


def run(kind: str, name: str, **options) -> None:
    check_component(kind, name, plugin=BROKEN, **options)


def failure(kind: str, name: str, **options) -> ContractFailure:
    with pytest.raises(ContractFailure) as info:
        run(kind, name, **options)
    return info.value


@pytest.mark.parametrize("kind,name,options", [
    ("perturbation", "good-noise", {"stochastic": True}),
    ("defense", "good-squeeze", {}),
    ("defense", "rounding-squeeze-honest", {}),
    ("metric", "good-accuracy", {}),
])
def test_components_that_keep_the_contracts_pass(kind, name, options):
    run(kind, name, **options)


def test_perturbation_leaving_the_bounds_is_told_to_clamp():
    exc = failure("perturbation", "leaky-noise")
    assert exc.check == "perturbation-bounds"
    assert "outside the data bounds [0.0, 1.0]" in str(exc)
    assert "clamp the result to ctx.info.bounds" in exc.fix


def test_perturbation_assuming_unit_bounds_is_caught_on_other_bounds():
    exc = failure("perturbation", "unit-bounds-noise")
    assert "outside the data bounds [-1.0, 0.5]" in str(exc)
    assert "never assume [0, 1]" in exc.fix


def test_params_without_bounds_name_each_field_and_the_fix():
    exc = failure("perturbation", "unbounded-noise")
    assert exc.check == "params-bounds"
    assert "sigma, steps of UnboundedParams declare no bounds" in exc.problem
    assert "Field(0.1, ge=0, le=1" in exc.fix


def test_params_accepting_unknown_keys_are_refused():
    exc = failure("perturbation", "lax-noise")
    assert "params-validate" in exc.check
    assert "subclass robustkit.Params" in str(exc)


def test_unseeded_perturbation_is_told_to_use_ctx_generator():
    exc = failure("perturbation", "unseeded-noise")
    assert exc.check == "seed"
    assert "same ctx.seed gave different outputs" in exc.problem
    assert "ctx.generator" in exc.fix


def test_stochastic_perturbation_with_a_fixed_seed_is_caught():
    run("perturbation", "fixed-seed-noise")  # not declared stochastic: deterministic is fine
    exc = failure("perturbation", "fixed-seed-noise", stochastic=True)
    assert "two different seeds gave the same output" in exc.problem


def test_in_place_perturbation_is_caught():
    exc = failure("perturbation", "in-place-noise")
    assert "perturbation-bounds" in exc.check.split(", ")
    assert "changed its input tensor in place" in str(exc)
    assert "x = x.clone()" in str(exc)


def test_missing_summary_is_reported():
    exc = failure("perturbation", "no-summary-noise")
    assert exc.check == "registers" and "summary=" in exc.fix


def test_non_differentiable_defense_registered_differentiable_is_caught():
    exc = failure("defense", "rounding-squeeze")
    assert exc.check == "defense-gradients"
    assert "differentiable=False" in exc.fix


def test_defense_changing_the_model_interface_is_caught():
    exc = failure("defense", "shape-breaker")
    assert "defense-interface" in exc.check
    assert "the undefended model returns (48, 4)" in str(exc)


def test_defense_drawing_global_randomness_is_caught():
    exc = failure("defense", "random-wrapper")
    assert "seed" in exc.check and "ctx.generator" in str(exc)


def test_metric_failing_on_an_empty_batch_is_told_to_return_nan():
    exc = failure("metric", "crash-on-empty")
    assert exc.check == "metric-empty"
    assert "ZeroDivisionError" in exc.problem and "float('nan')" in exc.fix


def test_model_with_the_wrong_output_width_is_caught():
    exc = failure("model", "wrong-width")
    assert "info.output_size" in str(exc)


def test_dataset_with_an_unseeded_split_is_caught():
    exc = failure("dataset", "unseeded-data")
    assert exc.check == "seed" and "same seed gave different tensors" in exc.problem


def test_unknown_component_lists_what_is_registered():
    exc = failure("defense", "no-such-defense")
    assert exc.check == "registers"
    assert "registered defenses: good-squeeze" in exc.problem
    assert ("register.training_defense (or .input_transform, .model_wrapper) with "
            "'no-such-defense' in robustkit_register_defenses") in exc.fix


def test_several_broken_contracts_are_reported_together():
    exc = failure("perturbation", "unbounded-leaky-noise")
    assert exc.check.split(", ") == ["params-bounds", "perturbation-bounds"]
    assert exc.problem.startswith("2 contracts are broken")
    assert "declare no bounds" in exc.problem and "outside the data bounds" in exc.problem


def test_check_names_follow_the_kind():
    assert "defense-gradients" in ContractSuite("defenses", "x").check_names()
    assert "metric-empty" in ContractSuite("metric", "x").check_names()
    assert "lazy-import" not in ContractSuite("metric", "x", plugin=BROKEN).check_names()


def test_plugin_module_importing_torch_is_told_to_register_lazily():
    suite = ContractSuite("perturbation", "good-noise", plugin=BROKEN)
    record = suite.registry.plugins[suite.spec.plugin]
    suite.plugin = None  # judge it as if it came from an entry point...
    record.module = "robustkit.testing.kinds"  # ...whose module imports torch at import
    with pytest.raises(ContractFailure) as info:
        suite.run_check("lazy-import")
    assert "imports torch" in info.value.problem
    assert "lazy 'module:Class' string" in info.value.fix
    record.module = "robustkit.testing.params_checks"  # torch-free: passes
    suite.run_check("lazy-import")


def test_a_field_that_also_takes_a_name_is_not_probed_with_text():
    # label_column: str | int takes a header name or a position: "not-a-number" is a valid
    # name there; a numbers-only field must still refuse text
    from typing import Annotated

    from pydantic import Field, field_validator

    from robustkit import Params
    from robustkit.components import Kind
    from robustkit.registry import ComponentSpec
    from robustkit.testing.params_checks import check_rejects_bad_values

    def spec(params):
        return ComponentSpec(kind=Kind.DATASET, name="columns", factory=lambda p: None,
                             params=params)

    class ColumnParams(Params):
        column: str | Annotated[int, Field(ge=-5, le=5)] = Field(-1, description="a column")

    class SwallowsText(Params):
        column: int = Field(-1, ge=-5, le=5, description="a position")

        @field_validator("column", mode="before")
        @classmethod
        def _text_is_zero(cls, v):
            return 0 if isinstance(v, str) else v

    check_rejects_bad_values(spec(ColumnParams), None)
    with pytest.raises(ContractFailure, match="column='not-a-number' was accepted"):
        check_rejects_bad_values(spec(SwallowsText), None)
