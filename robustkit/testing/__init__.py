"""Contract tests for plugin authors.

One line in a plugin's test module runs every contract its component must keep::

    from robustkit.testing import contract_tests

    test_contracts = contract_tests("defense", "my-defense")

Each contract becomes its own pytest test (``test_contracts[params-bounds]`` ...), and a broken
one fails with a message naming what to fix. Outside pytest, :func:`check_component` runs them
all and raises :class:`ContractFailure`. This package is also a pytest plugin (entry point
``pytest11``) that adds the ``robustkit_contracts`` fixture and the ``--robustkit-device``
option; importing it never imports torch.
"""

from __future__ import annotations

from robustkit.testing.contracts import ContractSuite, check_component
from robustkit.testing.failure import ContractFailure


def contract_tests(kind: str, name: str, **options: object):
    """A pytest test function running every contract of one component, one test per contract.

    ``test_contracts = contract_tests("defense", "my-defense")``; see
    :func:`robustkit.testing.pytest_plugin.contract_tests`. Needs pytest.
    """
    from robustkit.testing.pytest_plugin import contract_tests as make

    return make(kind, name, **options)

__all__ = ["ContractFailure", "ContractSuite", "check_component", "contract_tests"]
