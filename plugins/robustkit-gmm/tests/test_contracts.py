"""The Gaussian-mixture components keep robustkit's contracts."""

from robustkit.testing import contract_tests

test_sparse_regression = contract_tests("dataset", "sparse-regression", stochastic=True)
test_gmm_linear = contract_tests("model", "gmm-linear")
# gmm-regression fits only the linear `gmm-linear` model (EM on a linear model), so the
# generic defense contract, which trains a small MLP, does not apply; test_gmm.py covers it.
test_gmm_regularizer = contract_tests("defense", "gmm-regularizer")
test_gmm_reconstruction = contract_tests("defense", "gmm-reconstruction")
