"""Typed registration (register.<kind>(...)), the deprecated register(...) form, and register
hooks called through pluggy."""

from __future__ import annotations

import json
import warnings

import pytest
from fake_dists import install, run
from pydantic import Field

from robustkit import Kind, Params, Perturbation, Threat, hookimpl
from robustkit.plugins import PluginHost


class EpsParams(Params):
    eps: float = Field(0.1, ge=0, le=1, description="budget")


class Identity:
    def __init__(self, params):
        self.params = params

    def perturb(self, x, y, ctx):
        return x.clone()


def _host(**plugins: object) -> PluginHost:
    """A host holding only ``plugins``, added in order under their keyword names."""
    host = PluginHost(load_entry_points=False)
    for name, plugin in plugins.items():
        host.add_plugin(plugin, name)
    return host


def test_typed_options_become_typed_fields():
    class Typed:
        @hookimpl
        def robustkit_register_perturbations(self, register):
            register.perturbation("id-attack", Identity, params=EpsParams, needs="gradients",
                                  strength="eps", threat=Threat(norm="l2", iterative=True),
                                  check="json:loads", all_installed=False, summary="s")

        @hookimpl
        def robustkit_register_defenses(self, register):
            register.input_transform("squash", Identity, differentiable=False, summary="s")

    reg = _host(Typed=Typed()).registry
    spec = reg.get(Kind.PERTURBATION, "id-attack")
    assert spec.threat == Threat(norm="l2", iterative=True, unbounded=False)
    assert (spec.check, spec.all_installed, spec.strength) == ("json:loads", False, "eps")
    assert isinstance(spec.build(), Perturbation)
    squash = reg.get(Kind.DEFENSE, "squash")
    assert (squash.form.value, squash.differentiable) == ("input-transform", False)
    assert not reg.plugins["Typed"].warnings  # the typed form is not deprecated


@pytest.mark.parametrize("call, message", [
    (lambda r: r.perturbation("p", Identity, needs="nothing", colour="red"), "colour"),
    (lambda r: r.perturbation("p", Identity, needs="telepathy"), "needs must be one of"),
    (lambda r: r.perturbation("p", Identity, needs="nothing", threat={"norm": "l2"}),
     "threat must be a robustkit.Threat"),
    (lambda r: r.dataset("d", Identity, task="juggling", modality="image"), "task must be"),
    (lambda r: r.perturbation("a:b", Identity, needs="nothing"), "without ':'"),
])
def test_a_bad_typed_option_fails_only_that_plugin_naming_the_option(call, message):
    class Bad:
        @hookimpl
        def robustkit_register_perturbations(self, register):
            call(register)

    class Good:
        @hookimpl
        def robustkit_register_perturbations(self, register):
            register.perturbation("fine", Identity, needs="nothing", summary="s")

    reg = _host(Bad=Bad(), Good=Good()).registry
    assert message in reg.plugins["Bad"].error
    assert reg.get(Kind.PERTURBATION, "fine").plugin == "Good"


def test_threat_rejects_an_unknown_norm():
    with pytest.raises(ValueError, match="Threat.norm must be one of linf, l2"):
        Threat(norm="l3")


OLD_STYLE = """
from robustkit import hookimpl

@hookimpl
def robustkit_register_perturbations(register):
    register("old-pgd", "old_plugin:Attack", needs="gradients", strength="eps",
             params=__import__("old_params").P, summary="written for robustkit 0.1",
             extra={"iterative": True, "norm": "l2", "all_installed": False, "library": "x"})
    register("old-noise", "old_plugin:Attack", needs="nothing", summary="another")

@hookimpl
def robustkit_register_defenses(register):
    register("old-squeeze", "old_plugin:Attack", form="input-transform",
             differentiable=False, summary="s")
"""

OLD_PARAMS = """
from pydantic import Field
from robustkit import Params

class P(Params):
    eps: float = Field(0.1, ge=0, le=1, description="budget")
"""


def test_a_plugin_in_the_old_form_loads_with_one_deprecation_warning(tmp_path):
    install(tmp_path, "old_plugin", OLD_STYLE)
    (tmp_path / "old_params.py").write_text(OLD_PARAMS)
    out = run(tmp_path, """
        import json, warnings
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            from robustkit.plugins import get_registry
            reg = get_registry()
        spec = reg.get("perturbation", "old-pgd")
        squeeze = reg.get("defense", "old-squeeze")
        print(json.dumps({
            "warnings": [str(w.message) for w in caught
                         if issubclass(w.category, DeprecationWarning)
                         and "register(" in str(w.message)],
            "where": [w.filename for w in caught if "register(" in str(w.message)],
            "threat": [spec.threat.norm, spec.threat.iterative, spec.threat.unbounded],
            "all_installed": spec.all_installed, "notes": spec.notes,
            "squeeze": [squeeze.form.value, squeeze.differentiable],
            "record": reg.plugins["old_plugin"].warnings,
        }))
    """).stdout
    facts = json.loads(out)
    assert len(facts["warnings"]) == 1  # one per plugin, not one per call
    assert "register.perturbation('old-pgd', ...)" in facts["warnings"][0]
    assert facts["where"][0].endswith("old_plugin.py")  # points at the plugin's line
    assert facts["threat"] == ["l2", True, False]
    assert facts["all_installed"] is False and facts["notes"] == {"library": "x"}
    assert facts["squeeze"] == ["input-transform", False]
    assert facts["record"] == facts["warnings"]


def test_an_undecorated_hook_is_not_called_and_the_plugin_says_why():
    class Forgetful:
        def robustkit_register_metrics(self, register):  # no @hookimpl
            raise AssertionError("pluggy must not call an undecorated function")

    reg = _host(Forgetful=Forgetful()).registry
    record = reg.plugins["Forgetful"]
    assert record.ok and not record.components
    assert any("robustkit_register_metrics is not decorated with @robustkit.hookimpl" in w
               for w in record.warnings)


def test_a_wrapper_wraps_every_plugins_register_call():
    seen: list[str] = []

    class Audit:
        @hookimpl(wrapper=True)
        def robustkit_register_perturbations(self, register):
            result = yield
            seen.append(register._record.name)
            return result

    class A:
        @hookimpl
        def robustkit_register_perturbations(self, register):
            register.perturbation("a-noise", Identity, needs="nothing", summary="s")

    class B:
        @hookimpl(tryfirst=True)
        def robustkit_register_perturbations(self, register):
            register.perturbation("b-noise", Identity, needs="nothing", summary="s")

    reg = _host(Audit=Audit(), A=A(), B=B()).registry
    assert sorted(seen) == ["A", "B"]  # around each plugin's call, not its own
    assert {s.name for s in reg.specs(Kind.PERTURBATION)} == {"a-noise", "b-noise"}


def test_calling_the_registrar_outside_a_register_hook_names_the_typed_call():
    from robustkit.registrar import Registrar
    from robustkit.registry import PluginRecord, Registry

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(TypeError, match="register.perturbation"):
            Registrar(Registry(), PluginRecord("x"))("n", Identity)
