"""Every vision model keeps robustkit's contracts (robustkit.testing)."""

from robustkit.testing import contract_tests

test_mlp = contract_tests("model", "mlp")
test_small_cnn = contract_tests("model", "small-cnn")
test_small_resnet = contract_tests("model", "small-resnet")
