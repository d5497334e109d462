"""pca-projection keeps every robustkit contract (one pytest test per contract)."""

from robustkit.testing import contract_tests

test_contracts = contract_tests("defense", "pca-projection")
