"""Entry-point discovery and broken-plugin isolation, through real installed metadata.

Each test writes a tiny distribution (tests/fake_dists.py) into a temporary directory that a
subprocess puts on sys.path: importlib.metadata finds it exactly as it finds a pip-installed
plugin.
"""

import json

from fake_dists import install, run

GOOD = """
from robustkit import hookimpl

@hookimpl
def robustkit_register_metrics(register):
    register("always-one", "good_plugin:One", tasks=["classification"])

class One:
    def __init__(self, params): pass
    def compute(self, ev): return 1.0
"""

IMPORT_FAILS = "raise ImportError('libfoo.so is missing')\n"

REGISTER_FAILS = """
from robustkit import hookimpl

@hookimpl
def robustkit_register_perturbations(register):
    register("half-done", "x:y", needs="nothing")
    raise RuntimeError("config file of plugin missing")
"""


def _install(site, name, source):
    install(site, name, source)


def _run(site, code):
    return run(site, code).stdout


def test_broken_plugins_are_reported_and_the_others_keep_working(tmp_path):
    _install(tmp_path, "good_plugin", GOOD)
    _install(tmp_path, "import_fails", IMPORT_FAILS)
    _install(tmp_path, "register_fails", REGISTER_FAILS)
    out = _run(tmp_path, """
        import json
        from robustkit.plugins import get_registry
        reg = get_registry()
        print(json.dumps({n: [r.distribution, r.version, r.error,
                              {k.value: v for k, v in r.components.items()}]
                          for n, r in reg.plugins.items()}))
    """)
    plugins = json.loads(out)
    assert plugins["good_plugin"] == ["good_plugin", "1.2.3", None, {"metric": ["always-one"]}]
    assert "import failed: ImportError: libfoo.so is missing" in plugins["import_fails"][2]
    assert "config file of plugin missing" in plugins["register_fails"][2]
    assert plugins["register_fails"][3] == {}  # what it registered before failing is withdrawn


def test_cli_plugins_table_shows_the_errors(tmp_path):
    _install(tmp_path, "good_plugin", GOOD)
    _install(tmp_path, "import_fails", IMPORT_FAILS)
    out = _run(tmp_path, """
        import sys
        from robustkit.cli import main
        sys.argv = ["robustkit", "plugins"]
        try:
            main()
        except SystemExit as e:
            assert not e.code, e.code
    """)
    assert "good_plugin" in out and "import_fails" in out
    assert "libfoo.so is missing" in out.replace("\n", " ").replace("│", "") or "failed" in out


def test_a_pipeline_naming_a_component_of_a_failed_plugin_names_plugin_and_error(tmp_path):
    _install(tmp_path, "register_fails", REGISTER_FAILS)
    out = _run(tmp_path, """
        from robustkit import Pipeline, UnknownComponentError
        from robustkit.plugins import get_registry
        from robustkit.components import Kind
        try:
            get_registry().get(Kind.PERTURBATION, "half-done")
        except UnknownComponentError as e:
            print(e)
    """)
    assert "'half-done' comes from plugin 'register_fails'" in out
    assert "config file of plugin missing" in out


def test_an_unknown_component_mentions_plugins_that_failed_to_import(tmp_path):
    _install(tmp_path, "import_fails", IMPORT_FAILS)
    out = _run(tmp_path, """
        from robustkit import UnknownComponentError
        from robustkit.plugins import get_registry
        from robustkit.components import Kind
        try:
            get_registry().get(Kind.DEFENSE, "whatever")
        except UnknownComponentError as e:
            print(e)
    """)
    assert "failed to load and may provide it: 'import_fails'" in out
    assert "libfoo.so is missing" in out
