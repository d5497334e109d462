"""The Ray executor keeps robustkit's contracts (robustkit.testing)."""

from robustkit.testing import contract_tests

test_ray = contract_tests("executor", "ray")
