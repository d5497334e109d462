"""The error a broken contract raises: what is wrong, and what to change."""

from __future__ import annotations

from typing import Any, NoReturn


class ContractFailure(AssertionError):
    """A component breaks a robustkit contract. ``check`` names the contract, ``fix`` the cure.

    It subclasses AssertionError so that pytest reports it as a test failure, not an error.
    """

    def __init__(self, component: str, check: str, problem: str, fix: str):
        self.component, self.check, self.problem, self.fix = component, check, problem, fix
        super().__init__(f"{component} breaks the '{check}' contract: {problem}\n  fix: {fix}")


def fail(spec_or_label: Any, check: str, problem: str, fix: str) -> NoReturn:
    label = getattr(spec_or_label, "label", None) or str(spec_or_label)
    raise ContractFailure(label, check, problem, fix)
