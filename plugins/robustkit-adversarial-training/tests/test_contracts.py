"""The adversarial-training defenses keep robustkit's contracts (with their default attacks,
robustkit-attacks' pgd and fgsm)."""

from robustkit.testing import contract_tests

test_pgd_at = contract_tests("defense", "pgd-at")
test_fast_at = contract_tests("defense", "fast-at")
