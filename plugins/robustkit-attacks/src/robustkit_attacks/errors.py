"""Errors specific to gradient attacks."""

from __future__ import annotations

from robustkit.errors import IncompatibleError


class NoGradientError(IncompatibleError):
    """The model gives no usable gradient with respect to its inputs.

    A gradient attack against such a model would leave every input unchanged and report a
    robust accuracy equal to the clean one: a silently wrong number. We refuse instead.
    """
