"""Every noise perturbation keeps robustkit's contracts (robustkit.testing)."""

from robustkit.testing import contract_tests

test_gaussian_noise = contract_tests("perturbation", "gaussian-noise", stochastic=True)
test_uniform_noise = contract_tests("perturbation", "uniform-noise", stochastic=True)
test_salt_and_pepper = contract_tests("perturbation", "salt-and-pepper", stochastic=True)
