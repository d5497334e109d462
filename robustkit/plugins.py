"""Finding plugins (entry-point group ``robustkit``), registering their components, and
keeping one broken plugin from taking the others down.

pluggy's ``load_setuptools_entrypoints`` stops at the first plugin that raises; here every entry
point is loaded inside its own ``try`` and every register hook is called plugin by plugin, so a
failure is recorded against the plugin that caused it (as conda's plugin manager does).
"""

from __future__ import annotations

import importlib.metadata as md
import threading
from collections.abc import Iterable
from types import ModuleType
from typing import Any

import pluggy

from robustkit import hookspecs
from robustkit.components import Kind
from robustkit.registry import PluginRecord, Registry, make_spec

ENTRY_POINT_GROUP = "robustkit"
hookimpl = pluggy.HookimplMarker(hookspecs.PROJECT)

_REGISTER_HOOKS: dict[Kind, str] = {kind: f"robustkit_register_{kind.plural}" for kind in Kind}


class PluginHost:
    """The pluggy PluginManager plus the Registry built from it."""

    def __init__(self, *, load_entry_points: bool = True, extra: Iterable[Any] = ()) -> None:
        self.pm = pluggy.PluginManager(hookspecs.PROJECT)
        self.pm.add_hookspecs(hookspecs)
        self.registry = Registry()
        self._register_builtin()
        if load_entry_points:
            self._load_entry_points()
        for plugin in extra:
            self._register_object(plugin, getattr(plugin, "__name__", repr(plugin)))
        self._register_all()

    # -- discovery -----------------------------------------------------------------------
    def _load_entry_points(self) -> None:
        seen: set[str] = set()
        for ep in md.entry_points(group=ENTRY_POINT_GROUP):
            dist = getattr(ep, "dist", None)
            key = f"{dist.name if dist else ''}:{ep.name}"
            if key in seen:  # the same distribution found twice on sys.path
                continue
            seen.add(key)
            record = PluginRecord(
                name=ep.name,
                distribution=dist.name if dist else None,
                version=dist.version if dist else None,
                module=ep.value,
            )
            if record.name in self.registry.plugins:
                record.name = f"{ep.name} ({record.distribution})"
            self.registry.plugins[record.name] = record
            try:
                obj = ep.load()
            except Exception as exc:  # a broken plugin must not stop the others
                record.error = f"import failed: {type(exc).__name__}: {exc}"
                continue
            try:
                self.pm.register(obj, name=record.name)
            except Exception as exc:
                record.error = f"rejected by pluggy: {type(exc).__name__}: {exc}"

    def _register_builtin(self) -> None:
        from robustkit.executors import BuiltinExecutors

        record = PluginRecord(name="robustkit", distribution="robustkit", module=__name__)
        try:
            record.version = md.version("robustkit")
        except md.PackageNotFoundError:
            record.version = None
        self.registry.plugins[record.name] = record
        self.pm.register(BuiltinExecutors(), name=record.name)

    def _register_object(self, plugin: Any, name: str) -> None:
        module = plugin.__name__ if isinstance(plugin, ModuleType) else type(plugin).__name__
        record = PluginRecord(name=name, module=module)
        self.registry.plugins[name] = record
        self.pm.register(plugin, name=name)

    def add_plugin(self, plugin: Any, name: str | None = None) -> PluginRecord:
        """Register a plugin object or module from Python (no packaging needed)."""
        name = name or getattr(plugin, "__name__", None) or type(plugin).__name__
        self._register_object(plugin, name)
        self._register_plugin(name, plugin)
        return self.registry.plugins[name]

    # -- registration --------------------------------------------------------------------
    def _register_all(self) -> None:
        for name, plugin in self.pm.list_name_plugin():
            if plugin is not None:
                self._register_plugin(name, plugin)

    def _register_plugin(self, name: str, plugin: Any) -> None:
        record = self.registry.plugins[name]
        for kind, hook_name in _REGISTER_HOOKS.items():
            impl = getattr(plugin, hook_name, None)
            if impl is None:
                continue
            try:
                impl(register=self._make_register(kind, record))
            except Exception as exc:
                record.error = (
                    f"{hook_name} raised {type(exc).__name__}: {exc}"
                )
                record.withdrawn = self.registry.remove_plugin_components(name)
                return

    def _make_register(self, kind: Kind, record: PluginRecord):
        def register(name: str, factory: Any, **options: Any) -> None:
            spec = make_spec(kind, name, factory, plugin=record.name, **options)
            spec.distribution, spec.version = record.distribution, record.version
            try:
                self.registry.add(spec)
            except ValueError as exc:
                # a clash withdraws only this component; the plugin's others keep working
                record.problems.append(str(exc))

        return register

    # -- lifecycle -----------------------------------------------------------------------
    @property
    def hook(self) -> Any:
        return self.pm.hook


_host: PluginHost | None = None
_lock = threading.Lock()


def get_host(*, reload: bool = False) -> PluginHost:
    """The process-wide PluginHost, created on first use."""
    global _host
    with _lock:
        if _host is None or reload:
            _host = PluginHost()
        return _host


def get_registry() -> Registry:
    return get_host().registry


def register_plugin(plugin: Any, name: str | None = None) -> PluginRecord:
    """Add a plugin module or object at run time, e.g. from a notebook or a test."""
    return get_host().add_plugin(plugin, name)
