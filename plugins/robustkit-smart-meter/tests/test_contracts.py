"""The smart-meter data set and model keep robustkit's contracts."""

from robustkit.testing import contract_tests

test_smart_meter = contract_tests("dataset", "smart-meter", stochastic=True)
test_meter_cnn = contract_tests("model", "meter-cnn")
