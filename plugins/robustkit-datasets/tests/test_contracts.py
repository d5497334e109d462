"""Every embedded data set keeps robustkit's contracts (robustkit.testing)."""

from robustkit.testing import contract_tests

# stochastic: the train/test split (and the blobs) are drawn from the seed
test_digits = contract_tests("dataset", "digits", stochastic=True)
test_blobs = contract_tests("dataset", "blobs", stochastic=True)
