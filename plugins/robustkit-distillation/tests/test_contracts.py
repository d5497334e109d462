"""The distillation defenses keep robustkit's contracts."""

from robustkit.testing import contract_tests

test_defensive_distillation = contract_tests("defense", "defensive-distillation")
test_logit_temperature = contract_tests("defense", "logit-temperature")
test_self_distillation_at = contract_tests("defense", "self-distillation-at")
test_dual_teacher = contract_tests("defense", "dual-teacher-distillation")
