"""Errors a user can act on. Each message names the thing that is wrong and how to fix it."""

from __future__ import annotations


class RobustkitError(Exception):
    """Base of every error robustkit raises on purpose; the CLI prints these without a traceback."""


class ConfigError(RobustkitError):
    """A pipeline or sweep config is malformed or names something that does not fit."""


class UnknownComponentError(ConfigError):
    """A config names a component no installed plugin provides."""


class ParamsError(ConfigError):
    """A component's parameters do not validate."""


class IncompatibleError(ConfigError):
    """Components that cannot work together (task, modality, needs) were combined."""


class PluginError(RobustkitError):
    """A plugin failed to import, register, or build one of its components."""


class DataError(RobustkitError):
    """A data file or tensor is malformed (shape, NaN, truncated file, bad labels)."""


class StoreError(RobustkitError):
    """The results store cannot be opened or written."""


class RobustkitWarning(UserWarning):
    """Something the user should know that did not stop the run (e.g. an unreadable cached
    model that was retrained); the CLI prints these as one ``warning:`` line."""
