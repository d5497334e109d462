"""Label-noise perturbations and noisy-label losses keep robustkit's contracts."""

from robustkit.testing import contract_tests

test_symmetric = contract_tests("perturbation", "symmetric-label-noise", stochastic=True)
test_asymmetric = contract_tests("perturbation", "asymmetric-label-noise", stochastic=True)
test_instance = contract_tests("perturbation", "instance-label-noise", stochastic=True)
test_awl = contract_tests("defense", "awl-loss")
test_gce = contract_tests("defense", "gce-loss")
test_sce = contract_tests("defense", "sce-loss")
