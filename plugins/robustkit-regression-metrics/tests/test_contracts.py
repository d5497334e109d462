"""The regression metrics keep robustkit's contracts."""

from robustkit.testing import contract_tests

test_mse = contract_tests("metric", "mse")
test_rmse = contract_tests("metric", "rmse")
test_mae = contract_tests("metric", "mae")
test_mape = contract_tests("metric", "mape")
test_r2 = contract_tests("metric", "r2")
