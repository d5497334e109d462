"""Finding plugins (entry-point group ``robustkit``), registering their components, and
keeping one broken plugin from taking the others down.

pluggy's ``load_setuptools_entrypoints`` stops at the first plugin that raises; here every entry
point is loaded inside its own ``try``, and the register hooks are called through pluggy one
plugin at a time (a subset hook caller per plugin), so a failure is recorded against the plugin
that caused it (as conda's plugin manager does) while pluggy's markers keep their meaning.
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
from robustkit.registrar import Registrar
from robustkit.registry import PluginRecord, Registry

ENTRY_POINT_GROUP = "robustkit"
hookimpl = pluggy.HookimplMarker(hookspecs.PROJECT)

_REGISTER_HOOKS: dict[Kind, str] = {kind: f"robustkit_register_{kind.plural}" for kind in Kind}
_LIFECYCLE_HOOKS = ["robustkit_pipeline_end", "robustkit_pipeline_start", "robustkit_stage_end"]


def _is_wrapper(impl: Any) -> bool:
    """A new-style (``wrapper=True``) or old-style (``hookwrapper=True``) pluggy wrapper."""
    return bool(impl.hookwrapper or getattr(impl, "wrapper", False))


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
        """Call ``plugin``'s register hooks through pluggy, isolated from every other plugin:
        a subset hook caller that leaves the others out runs only its own implementations
        (with their tryfirst/trylast/wrapper options), and an exception fails only it."""
        record = self.registry.plugins[name]
        self._warn_undecorated(plugin, record)
        registrar = Registrar(self.registry, record)
        for kind, hook_name in _REGISTER_HOOKS.items():
            impls = getattr(self.pm.hook, hook_name).get_hookimpls()
            own = [i for i in impls if i.plugin is plugin]
            if all(_is_wrapper(i) for i in own):  # none, or only wrappers of the others
                continue
            # every plugin's wrappers wrap this plugin's call: they may observe or adjust
            # what each plugin registers, as pluggy wrappers do
            keep = {id(plugin)} | {id(i.plugin) for i in impls if _is_wrapper(i)}
            others = [p for p in self.pm.get_plugins() if id(p) not in keep]
            caller = self.pm.subset_hook_caller(hook_name, remove_plugins=others)
            try:
                caller(register=registrar.for_kind(kind))
            except Exception as exc:
                record.error = f"{hook_name} raised {type(exc).__name__}: {exc}"
                record.withdrawn = self.registry.remove_plugin_components(name)
                return

    def _warn_undecorated(self, plugin: Any, record: PluginRecord) -> None:
        """pluggy ignores a hook-named function without the marker; say so, rather than
        leave its author wondering why nothing registers."""
        hooked = {caller.name for caller in self.pm.get_hookcallers(plugin) or []}
        for attr in sorted(_REGISTER_HOOKS.values()) + _LIFECYCLE_HOOKS:
            if attr not in hooked and callable(getattr(plugin, attr, None)):
                record.warnings.append(
                    f"{attr} is not decorated with @robustkit.hookimpl, so it is never "
                    "called; add the decorator")

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
