"""Every classification metric keeps robustkit's contracts (robustkit.testing)."""

from robustkit.testing import contract_tests

test_accuracy = contract_tests("metric", "accuracy")
test_macro_f1 = contract_tests("metric", "macro-f1")
test_calibration_error = contract_tests("metric", "calibration-error")
test_roc_auc = contract_tests("metric", "roc-auc")
