"""robustkit's pytest plugin (entry point ``pytest11``): contract tests in one line.

Loaded by every pytest run in an environment where robustkit is installed, so it imports
nothing heavy: no torch, no plugins, until a contract test actually runs.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

DEVICE_OPTION = "--robustkit-device"


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("robustkit")
    group.addoption(DEVICE_OPTION, default=None, metavar="DEVICE",
                    help="torch device for robustkit contract tests (default: cpu, plus cuda "
                         "when available)")


def _device(config: pytest.Config) -> str | None:
    try:
        return config.getoption(DEVICE_OPTION)
    except ValueError:  # the plugin was disabled with -p no:robustkit
        return None


def contract_tests(kind: str, name: str, **options: Any) -> Callable[..., None]:
    """A pytest test function, parametrized over every contract of one component.

    Assign it to a ``test_*`` name in a test module::

        test_contracts = contract_tests("perturbation", "my-noise", stochastic=True)

    ``options`` are those of :class:`robustkit.testing.ContractSuite`: ``plugin``, ``params``,
    ``stochastic``, ``data``, ``device``, ``strongest``.
    """
    from robustkit.testing.contracts import ContractSuite

    suite = ContractSuite(kind, name, **options)

    @pytest.mark.parametrize("contract", suite.check_names())
    def test_contract(contract: str, request: pytest.FixtureRequest) -> None:
        device = options.get("device") or _device(request.config)
        if device:
            suite.device = device
        suite.run_check(contract)

    test_contract.__doc__ = f"robustkit contracts of {suite.label}"
    return test_contract


@pytest.fixture
def robustkit_contracts(request: pytest.FixtureRequest) -> Callable[..., None]:
    """``robustkit_contracts(kind, name, **options)`` runs every contract of a component and
    fails the test with one message listing each broken contract and its fix."""
    from robustkit.testing.contracts import ContractSuite

    def run(kind: str, name: str, **options: Any) -> None:
        options.setdefault("device", _device(request.config))
        ContractSuite(kind, name, **options).run()

    return run
