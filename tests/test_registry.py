import pytest
from pydantic import Field

from robustkit import Kind, Params, ParamsError, UnknownComponentError
from robustkit.registry import AmbiguousComponentError, Registry, make_spec


class P(Params):
    eps: float = Field(0.1, ge=0, le=1, description="budget")
    mode: str = "a"


def factory(params):
    return params


def test_params_out_of_bounds_names_component_field_value_and_bounds():
    spec = make_spec(Kind.PERTURBATION, "pgd", factory, plugin="x", params=P)
    with pytest.raises(ParamsError) as err:
        spec.validate_params({"eps": 3})
    msg = str(err.value)
    assert "perturbation 'pgd'" in msg and "eps = 3" in msg and "<= 1" in msg


def test_unknown_param_lists_allowed_ones():
    spec = make_spec(Kind.PERTURBATION, "pgd", factory, plugin="x", params=P)
    with pytest.raises(ParamsError, match="unknown parameter.*'epsilon'.*allowed: eps, mode"):
        spec.validate_params({"epsilon": 0.1})


def test_lazy_factory_is_imported_only_on_build():
    spec = make_spec(Kind.METRIC, "m", "json:loads", plugin="x")
    assert spec.load_factory() is __import__("json").loads


def test_lazy_factory_import_error_names_the_plugin():
    spec = make_spec(Kind.METRIC, "m", "no_such_module_xyz:thing", plugin="acme")
    with pytest.raises(Exception, match="plugin 'acme'.*no_such_module_xyz"):
        spec.build({})


def test_unknown_component_suggests_close_matches():
    reg = Registry()
    for name in ("gaussian-noise", "uniform-noise"):
        reg.add(make_spec(Kind.PERTURBATION, name, factory, plugin="noise"))
    with pytest.raises(UnknownComponentError) as err:
        reg.get(Kind.PERTURBATION, "gausian-noise")
    assert "Did you mean 'gaussian-noise'" in str(err.value)


def _dataset(plugin, distribution=None):
    spec = make_spec(Kind.DATASET, "digits", factory, plugin=plugin, modality="image",
                     tasks=["classification"])
    spec.distribution = distribution
    return spec


def test_one_distribution_registering_a_name_twice_is_refused_naming_the_first_owner():
    reg = Registry()
    reg.add(_dataset("a", "robustkit-datasets"))
    with pytest.raises(ValueError, match="already registered by plugin 'a'"):
        reg.add(_dataset("b", "robustkit_Datasets"))  # the same distribution, as pip spells it


def test_a_name_from_two_distributions_is_refused_until_one_is_named():
    reg = Registry()
    reg.add(_dataset("a", "robustkit-datasets"))
    reg.add(_dataset("b", "evil-datasets"))
    with pytest.raises(AmbiguousComponentError) as err:
        reg.get(Kind.DATASET, "digits")
    msg = str(err.value)
    assert "'evil-datasets:digits' or 'robustkit-datasets:digits'" in msg  # sorted
    assert "never picks one by install order" in msg
    assert reg.get(Kind.DATASET, "evil-datasets:digits").plugin == "b"
    assert reg.get(Kind.DATASET, "robustkit_datasets:digits").plugin == "a"
    with pytest.raises(UnknownComponentError, match="no dataset 'digits' from 'nobody'"):
        reg.get(Kind.DATASET, "nobody:digits")
    assert [s.plugin for s in reg.find("digits")] == ["b", "a"]  # by distribution
    assert list(reg.clashes()) == [(Kind.DATASET, "digits")]


@pytest.mark.parametrize(
    "kind, options, message",
    [
        (Kind.DEFENSE, {}, "form is required"),
        (Kind.PERTURBATION, {"needs": "telepathy"}, "telepathy"),
        (Kind.PERTURBATION, {"strength": "nope", "params": P}, "not a param"),
        (Kind.MODEL, {"colour": "red"}, "unknown register option"),
        (Kind.MODEL, {"tasks": ["juggling"]}, "tasks must be among"),
    ],
)
def test_bad_registrations_are_explained(kind, options, message):
    with pytest.raises(ValueError, match=message):
        make_spec(kind, "c", factory, plugin="x", **options)
