"""The Registry: every registered component by kind and name, and what is known of each plugin.

A name registered by two distributions is a *clash*: both are kept, neither is chosen by
install order, and looking the bare name up is refused until the user names one as
``distribution:name`` (docs/plugin-author-guide.md, "Name clashes").
"""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from dataclasses import dataclass, field

from robustkit.components import Kind
from robustkit.errors import UnknownComponentError
from robustkit.first_party import install_hint
from robustkit.registrar import make_spec
from robustkit.spec import ComponentSpec, LazyParams, NoParams, Params, describe_bounds

__all__ = [
    "AmbiguousComponentError", "ComponentSpec", "LazyParams", "NoParams", "Params",
    "PluginRecord", "Registry", "describe_bounds", "make_spec",
]


class AmbiguousComponentError(UnknownComponentError):
    """A bare component name that two or more distributions register."""


@dataclass
class PluginRecord:
    """What is known of one plugin: where it came from, what it gave, and how it failed."""

    name: str
    distribution: str | None = None
    version: str | None = None
    module: str | None = None
    error: str | None = None
    components: dict[Kind, list[str]] = field(default_factory=dict)
    # names a failed register hook had already registered before it raised (then withdrawn)
    withdrawn: dict[Kind, list[str]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    # not errors: a deprecated register call, a hook function without @hookimpl
    warnings: list[str] = field(default_factory=list)
    deprecated: bool = False

    @property
    def ok(self) -> bool:
        return self.error is None


def _same_owner(a: str, b: str) -> bool:
    """Distribution names compare as pip does: case and ``-``/``_``/``.`` do not matter."""
    def norm(text: str) -> str:
        return text.lower().replace("_", "-").replace(".", "-")

    return norm(a) == norm(b)


def split_name(ref: str) -> tuple[str | None, str]:
    """``"dist:name"`` -> ``("dist", "name")``; a bare ``"name"`` -> ``(None, "name")``."""
    owner, sep, name = ref.rpartition(":")
    return (owner.strip() or None, name.strip()) if sep else (None, ref)


class Registry:
    """Every component of every loaded plugin, by kind and name."""

    def __init__(self) -> None:
        self._specs: dict[Kind, dict[str, list[ComponentSpec]]] = {k: {} for k in Kind}
        self.plugins: dict[str, PluginRecord] = {}

    # -- filling -------------------------------------------------------------------------
    def add(self, spec: ComponentSpec) -> None:
        """Add ``spec``. The same name twice from one distribution is a ValueError; from two
        distributions it is a clash, recorded against both plugins."""
        same = self._specs[spec.kind].setdefault(spec.name, [])
        for existing in same:
            if _same_owner(existing.owner, spec.owner):
                raise ValueError(
                    f"{spec.label} is already registered by plugin '{existing.plugin}'; "
                    f"plugin '{spec.plugin}' must use another name"
                )
        same.append(spec)
        same.sort(key=lambda s: s.owner)  # candidates never ordered by discovery
        record = self.plugins.get(spec.plugin)
        if record is not None:
            record.components.setdefault(spec.kind, []).append(spec.name)
        if len(same) > 1:
            message = self.clash_message(spec.kind, spec.name, same)
            prefix = message.split(" is registered by ")[0]
            for s in same:
                other = self.plugins.get(s.plugin)
                if other is not None:  # one current message per clash, in a stable order
                    kept = [p for p in other.problems if not p.startswith(prefix + " ")]
                    clashes = sorted(p for p in kept if p.startswith("name clash: "))
                    other.problems = [p for p in kept if not p.startswith("name clash: ")]
                    other.problems += sorted([*clashes, message])

    def remove_plugin_components(self, plugin: str) -> dict[Kind, list[str]]:
        removed: dict[Kind, list[str]] = {}
        for kind, by_name in self._specs.items():
            for name in list(by_name):
                kept = [s for s in by_name[name] if s.plugin != plugin]
                if len(kept) != len(by_name[name]):
                    removed.setdefault(kind, []).append(name)
                if kept:
                    by_name[name] = kept
                else:
                    del by_name[name]
        if plugin in self.plugins:
            self.plugins[plugin].components = {}
        return removed

    # -- reading -------------------------------------------------------------------------
    def specs(self, kind: Kind) -> list[ComponentSpec]:
        """Every component of ``kind``, clashing ones included, by name."""
        kind = kind if isinstance(kind, Kind) else Kind.parse(kind)
        return sorted((s for same in self._specs[kind].values() for s in same),
                      key=lambda s: (s.name, s.owner))

    def clashes(self) -> dict[tuple[Kind, str], list[ComponentSpec]]:
        """Names that two or more distributions register, with their candidates."""
        return {(kind, name): same for kind, by_name in self._specs.items()
                for name, same in sorted(by_name.items()) if len(same) > 1}

    def find(self, ref: str) -> list[ComponentSpec]:
        """Every component named ``ref`` (bare or ``distribution:name``), of any kind."""
        owner, name = split_name(ref)
        found = [s for by_name in self._specs.values() for s in by_name.get(name, [])]
        if owner is not None:
            found = [s for s in found if _same_owner(s.owner, owner)
                     or _same_owner(s.plugin, owner)]
        return found

    def get(self, kind: Kind, ref: str) -> ComponentSpec:
        """The one component ``ref`` names: a bare name, or ``distribution:name``.

        :raises AmbiguousComponentError: two distributions register the bare name.
        :raises UnknownComponentError: nothing by that name, with suggestions.
        """
        kind = kind if isinstance(kind, Kind) else Kind.parse(kind)
        owner, name = split_name(ref)
        same = self._specs[kind].get(name, [])
        if owner is not None:
            picked = [s for s in same if _same_owner(s.owner, owner)
                      or _same_owner(s.plugin, owner)]
            if not picked and same:
                raise UnknownComponentError(
                    f"no {kind.value} '{name}' from '{owner}'; it is provided by "
                    + ", ".join(f"'{s.qualified_name}'" for s in same) + ".")
            same = picked
        if len(same) == 1:
            return same[0]
        if len(same) > 1:
            raise AmbiguousComponentError(self.clash_message(kind, name, same))
        raise UnknownComponentError(self._unknown_message(kind, name))

    @staticmethod
    def clash_message(kind: Kind, name: str, same: list[ComponentSpec]) -> str:
        same = sorted(same, key=lambda s: s.owner)  # the same text whatever the install order
        owners = " and ".join(f"{s.owner} (plugin '{s.plugin}')" for s in same)
        choices = " or ".join(f"'{s.qualified_name}'" for s in same)
        return (f"name clash: {kind.value} '{name}' is registered by {owners}; robustkit "
                f"never picks one by install order. Name the one you mean as {choices} "
                "(in the config or on the command line), or uninstall the other.")

    def _unknown_message(self, kind: Kind, name: str) -> str:
        for record in self.plugins.values():
            if name in record.withdrawn.get(kind, []):
                return (
                    f"{kind.value} '{name}' comes from plugin '{record.name}' "
                    f"({record.distribution or 'no distribution'}), which failed to load: "
                    f"{record.error}. Fix or reinstall that plugin."
                )
        names = list(self._specs[kind])
        msg = f"no {kind.value} named '{name}'." + install_hint(kind.value, name)
        close = difflib.get_close_matches(name, names, n=3, cutoff=0.5)
        if close:
            msg += " Did you mean " + " or ".join(f"'{c}'" for c in close) + "?"
        elsewhere = [s for s in self.find(name) if s.kind is not kind]
        if elsewhere:
            msg += f" ('{name}' is a {elsewhere[0].kind.value}, not a {kind.value}.)"
        broken = [r for r in self.plugins.values() if not r.ok]
        if broken:
            msg += " Plugins that failed to load and may provide it: " + "; ".join(
                f"'{r.name}' ({r.error})" for r in broken
            ) + "."
        if names:
            msg += f" Installed {kind.plural}: {', '.join(sorted(names))}."
        else:
            msg += f" No {kind.plural} are installed; install a plugin that provides one."
        return msg

    def __iter__(self) -> Iterator[ComponentSpec]:
        for kind in Kind:
            yield from self.specs(kind)
