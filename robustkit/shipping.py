"""What a sweep sends to its workers besides each cell's config, and the check that they can
use it before any cell runs.

Components that exist only in the parent process -- a plugin registered from a script with
``register_plugin``, a torch module or data passed as an object -- travel with every cell: a
plugin module by its import name, a plugin object and an adopted object pickled (by reference
for the process pool, by value where Ray's cloudpickle can). A probe task then rebuilds them in
one worker and resolves every cell's config there; if that fails, the sweep is refused before
its first cell with a message that says how to make the component available, instead of every
worker failing every cell ("no model named ...").
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Iterable
from types import ModuleType
from typing import Any

from robustkit.errors import ConfigError
from robustkit.objects import is_object_name, objects_named, readopt
from robustkit.plugins import PluginHost, get_host

IN_PROCESS = "in-process"
FIX = ("Define plugins and model classes at the top level of an importable module (or of the "
       "script, with the sweep under `if __name__ == '__main__':`), save a model to a file "
       "(torch.export.save) and name the file, or run the sweep with executor 'in-process'.")


def _pickler() -> Any:
    """cloudpickle where installed (it comes with Ray): it sends classes defined in a script's
    ``__main__`` by value; the standard pickle sends everything by reference."""
    try:
        import cloudpickle

        return cloudpickle
    except ImportError:  # pragma: no cover - ray absent
        import pickle

        return pickle


def worker_extras(host: PluginHost, configs: Iterable[dict[str, Any]], executor: str
                  ) -> dict[str, Any]:
    """The plugins registered from Python and the objects the cells name, pickled once, and
    this process's ``sys.path``, so a worker finds modules the script could import."""
    if executor == IN_PROCESS:
        return {"sent": []}  # cells run here, on the caller's host (sweep._IN_PROCESS_HOST)
    plugins: list[tuple[str, Any]] = []
    for record in host.registry.plugins.values():
        if record.distribution is not None or not record.ok:
            continue  # installed plugins: every worker finds them by entry point
        plugin = host.pm.get_plugin(record.name)
        if plugin is None:
            continue
        if isinstance(plugin, ModuleType):
            plugins.append((record.name, plugin.__name__))
        else:
            plugins.append((record.name, plugin))
    names = {ref["name"] for cfg in configs for ref in (cfg["dataset"], cfg["model"])
             if is_object_name(ref["name"])}
    objects = objects_named(sorted(names))
    sent = [name for name, _ in plugins] + list(objects)
    if not sent:
        return {"sent": []}
    try:
        blob = _pickler().dumps({"plugins": plugins, "objects": objects})
    except Exception as exc:
        raise ConfigError(
            f"the sweep's workers cannot be sent {sent} (pickling failed: "
            f"{type(exc).__name__}: {exc}). {FIX}") from None
    return {"sent": sent, "shipment": blob, "sys_path": list(sys.path)}


def worker_host(payload: dict[str, Any]) -> PluginHost:
    """In a worker: the process-wide host plus what the parent sent."""
    host = get_host()
    if "shipment" not in payload:
        return host
    for entry in payload["sys_path"]:
        if entry not in sys.path:
            sys.path.append(entry)  # after the worker's own entries: never shadows them
    shipment = _pickler().loads(payload["shipment"])
    for name, plugin in shipment["plugins"]:
        if name in host.registry.plugins:
            continue  # registered here already (a spawned worker re-ran the script's top level)
        if isinstance(plugin, str):
            plugin = importlib.import_module(plugin)
            if host.pm.is_registered(plugin):
                continue  # an installed plugin that a script also added by hand
        host.add_plugin(plugin, name)
    readopt(shipment["objects"])
    return host


def probe(payload: dict[str, Any]) -> str | None:
    """Run in one worker: rebuild what was sent and resolve every config; the problem, if any."""
    from robustkit.config import Pipeline
    from robustkit.plan import resolve

    try:
        host = worker_host(payload)
        for config in payload["configs"]:
            resolve(Pipeline.model_validate(config), host.registry)
    except Exception as exc:
        return f"{type(exc).__name__}: {exc}"
    return None


def check_workers(runner: Any, executor: str, extras: dict[str, Any],
                  configs: list[dict[str, Any]]) -> None:
    """Refuse the sweep before its first cell when a worker cannot rebuild its components."""
    sent = extras["sent"]
    if executor == IN_PROCESS or not sent:
        return  # same process, or only installed plugins and files: nothing to send
    try:
        problem = next(iter(runner.map(probe, [{**extras, "configs": configs}])))
    except Exception as exc:  # could not even be sent (pickling) or the worker died
        problem = f"{type(exc).__name__}: {exc}"
    if problem:
        raise ConfigError(
            f"the sweep's workers (executor '{executor}') cannot use {sent}, which exist only "
            f"in this Python process: {problem}. {FIX} Nothing was run."
        )
