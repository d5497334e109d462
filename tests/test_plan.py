"""Incompatible combinations are refused at validation, before any data is loaded."""

import pytest

from robustkit import IncompatibleError, ParamsError, Pipeline, UnknownComponentError
from robustkit.plan import resolve


def plan(host, **overrides):
    base = dict(dataset="toy", model="linear", metrics=["acc"])
    base.update(overrides)
    return resolve(Pipeline(**base), host.registry)


def test_strength_list_expands_into_one_setting_each(toy_host):
    p = plan(toy_host, perturbations=[{"name": "shift", "amount": [0.1, 0.2, 0.3]}])
    assert [s.label for s in p.settings] == ["shift[amount=0.1]", "shift[amount=0.2]",
                                              "shift[amount=0.3]"]
    assert [s.strength for s in p.settings] == [0.1, 0.2, 0.3]


def test_list_for_a_param_that_is_not_the_strength_is_refused(toy_host):
    with pytest.raises(ParamsError, match="'flip-labels'.*no param may be a list"):
        plan(toy_host, perturbations=[{"name": "flip-labels", "x": [1, 2]}])


def test_training_perturbation_used_at_test_time_is_refused(toy_host):
    with pytest.raises(IncompatibleError, match="flip-labels.*train_perturbations"):
        plan(toy_host, perturbations=["flip-labels"])


def test_test_time_attack_used_on_training_data_is_refused(toy_host):
    with pytest.raises(IncompatibleError, match="grad-sign.*cannot go in train_perturbations"):
        plan(toy_host, train_perturbations=["grad-sign"])


def test_gradient_attack_through_non_differentiable_defense_is_refused(toy_host):
    with pytest.raises(IncompatibleError, match="needs gradients.*rounding.*not differentiable"):
        plan(toy_host, defenses=["rounding"], perturbations=["grad-sign"])


def test_task_and_modality_mismatch_say_which_component_needs_what(toy_host):
    import toy_plugin

    from robustkit import DataInfo, Modality, Task, hookimpl
    from robustkit.plugins import PluginHost

    class Extra:
        @hookimpl
        def robustkit_register_datasets(self, register):
            register.dataset("imgs", toy_plugin.ToyData, task="classification", modality="image")
            register.dataset("series", toy_plugin.ToyData, task="regression", modality="vector")

    host = PluginHost(load_entry_points=False, extra=[toy_plugin, Extra()])
    with pytest.raises(IncompatibleError, match="model 'linear' accepts vector.*image inputs"):
        plan(host, dataset="imgs")
    with pytest.raises(IncompatibleError, match="model 'linear'.*serves classification.*regr"):
        plan(host, dataset="series")
    assert DataInfo and Modality and Task


def test_unknown_component_is_reported_before_anything_runs(toy_host):
    with pytest.raises(UnknownComponentError, match="no model named 'linaer'.*'linear'"):
        plan(toy_host, model="linaer")
    with pytest.raises(UnknownComponentError, match="'toy' is a dataset, not a model"):
        plan(toy_host, model="toy")


def _only_vectors_small_amounts(params, facts):
    """A component-declared check: sees the validated params and what the plan knows."""
    if facts.modality.value != "vector":
        return "only vector inputs"
    if params.amount > 0.5:
        return f"amount {params.amount} is above this component's limit 0.5"
    return None


def _checked_host():
    from toy_plugin import Shift, ShiftParams

    from robustkit import hookimpl
    from robustkit.plugins import PluginHost

    class Checked:
        @hookimpl
        def robustkit_register_perturbations(self, register):
            register.perturbation("checked-shift", Shift, params=ShiftParams, needs="nothing",
                                  strength="amount", check=_only_vectors_small_amounts)

    import toy_plugin

    return PluginHost(load_entry_points=False, extra=[toy_plugin, Checked()])


def test_component_check_refuses_with_its_own_reason():
    host = _checked_host()
    with pytest.raises(IncompatibleError, match="'checked-shift' cannot run.*above this "
                                                "component's limit 0.5"):
        plan(host, perturbations=[{"name": "checked-shift", "amount": [0.1, 0.9]}])
    ok = plan(host, perturbations=[{"name": "checked-shift", "amount": [0.1, 0.4]}])
    assert len(ok.settings) == 2


def test_component_check_that_cannot_load_names_the_plugin(toy_host):
    from robustkit import PluginError
    from robustkit.plan import PlanFacts, Resolved, run_component_check

    spec = toy_host.registry.get(__import__("robustkit").components.Kind.PERTURBATION, "shift")
    spec.check = "no_such_module_xyz:check"
    r = Resolved(None, spec, spec.validate_params({}))
    facts = PlanFacts(task="classification", modality="vector", dataset="toy", model="linear",
                      defenses=(), differentiable=True)
    with pytest.raises(PluginError, match="could not load its check 'no_such_module_xyz:check'"):
        run_component_check(r, facts)
