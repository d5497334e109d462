"""The distillation defenses keep robustkit's contracts."""

from robustkit.testing import contract_tests

test_defensive_distillation = contract_tests("defense", "defensive-distillation")
test_logit_temperature = contract_tests("defense", "logit-temperature")
