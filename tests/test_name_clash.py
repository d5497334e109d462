"""Two distributions registering the same names (issue 22, item 1): never decided by install
order. Two real toy distributions, on sys.path in both orders, each register `pgd` and
`small-cnn`; the first-party plugins may register them too."""

from __future__ import annotations

import json

import pytest
from fake_dists import install, run

TOY = """
from robustkit import hookimpl

class Identity:
    '''An "attack" that returns its input: a run trusting it would report clean accuracy.'''
    def __init__(self, params): pass
    def perturb(self, x, y, ctx): return x.clone()

class Builder:
    def __init__(self, params): pass
    def build(self, info): raise RuntimeError("never built in these tests")

@hookimpl
def robustkit_register_perturbations(register):
    register.perturbation("pgd", Identity, needs="gradients", tasks=["classification"],
                          summary="{dist}'s pgd")

@hookimpl
def robustkit_register_models(register):
    register.model("small-cnn", Builder, tasks=["classification"], summary="{dist}'s cnn")
"""

CONFIG = """
dataset = "digits"
model = "{model}"
perturbations = [{{ name = "{pgd}", eps = 0.1 }}]
metrics = ["accuracy"]
store = "{store}"
"""


@pytest.fixture(scope="module")
def sites(tmp_path_factory):
    """Two folders, each one toy distribution: clash-a and clash-b."""
    out = []
    for dist in ("clash-a", "clash-b"):
        site = tmp_path_factory.mktemp(dist)
        module = dist.replace("-", "_")
        install(site, module, TOY.replace("{dist}", dist), dist=dist)
        out.append(site)
    return out



def _probe(first, second, code):
    """Run ``code`` with ``first`` then ``second`` on sys.path (discovery order)."""
    return run(first, f"import sys; sys.path.insert(1, {str(second)!r})\n" + code,
               check=False)


PROBE = """
import json
from robustkit import Kind, Pipeline
from robustkit.plan import resolve
from robustkit.plugins import get_registry
from robustkit.registry import AmbiguousComponentError
reg = get_registry()
out = {}
for kind, name in ((Kind.PERTURBATION, "pgd"), (Kind.MODEL, "small-cnn")):
    try:
        reg.get(kind, name)
        out[name] = "picked one"
    except AmbiguousComponentError as exc:
        out[name] = str(exc)
out["a"] = reg.get(Kind.PERTURBATION, "clash-a:pgd").summary
out["b"] = reg.get(Kind.MODEL, "clash_b:small-cnn").summary
plan = resolve(Pipeline(dataset="digits", model="clash-b:small-cnn",
                        perturbations=["clash-a:pgd"]), reg)
out["plan"] = [plan.model.spec.summary, plan.settings[0].spec.summary, plan.settings[0].label]
out["problems"] = {n: r.problems for n, r in reg.plugins.items() if n.startswith("clash")}
print(json.dumps(out))
"""


@pytest.mark.parametrize("order", ["a-first", "b-first"])
def test_a_clash_is_refused_in_either_install_order_until_one_is_named(sites, order):
    first, second = sites if order == "a-first" else sites[::-1]
    proc = _probe(first, second, PROBE)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    for name in ("pgd", "small-cnn"):
        assert "never picks one by install order" in out[name]
        assert f"'clash-a:{name}'" in out[name] and f"'clash-b:{name}'" in out[name]
    assert (out["a"], out["b"]) == ("clash-a's pgd", "clash-b's cnn")
    # the setting keeps the qualified name, so two pgds in one run never share a label
    assert out["plan"] == ["clash-b's cnn", "clash-a's pgd", "clash-a:pgd"]
    assert all(any("name clash" in p for p in probs) for probs in out["problems"].values())



def test_the_outcome_does_not_depend_on_the_order(sites):
    a_first = json.loads(_probe(sites[0], sites[1], PROBE).stdout)
    b_first = json.loads(_probe(sites[1], sites[0], PROBE).stdout)
    assert a_first == b_first  # every message and choice, word for word


CLI = """
import sys
from robustkit.cli import main
sys.argv = ["robustkit", *{args!r}]
main()
"""


def _cli(sites, *args):
    return _probe(sites[0], sites[1], CLI.format(args=list(args)))


def test_plugins_and_list_show_the_clash_as_an_error(sites):
    for command in ("plugins", "list"):
        proc = _cli(sites, command)
        text = " ".join(proc.stdout.replace("│", " ").split())
        assert proc.returncode == 0, proc.stderr
        assert "error: name clash: perturbation 'pgd'" in text, command
        assert "error: name clash: model 'small-cnn'" in text, command


def test_describe_lists_every_candidate(sites):
    proc = _cli(sites, "describe", "pgd")
    assert proc.returncode == 0, proc.stderr
    text = " ".join(proc.stdout.split())
    assert "clash-a:pgd" in text and "clash-b:pgd" in text
    assert "name one as" in text


def test_a_run_naming_a_clashing_component_is_refused_and_stores_nothing(sites, tmp_path):
    store = tmp_path / "results.db"
    config = tmp_path / "clash.toml"
    config.write_text(CONFIG.format(model="small-cnn", pgd="pgd", store=store))
    proc = _cli(sites, "run", str(config))
    assert proc.returncode == 2, proc.stdout + proc.stderr
    assert "Traceback" not in proc.stderr
    assert "name clash: model 'small-cnn'" in proc.stderr
    assert "'clash-a:small-cnn' or 'clash-b:small-cnn'" in proc.stderr
    assert not store.exists()
