"""Every gradient attack keeps robustkit's contracts (robustkit.testing)."""

from robustkit.testing import contract_tests

test_fgsm = contract_tests("perturbation", "fgsm")
test_bim = contract_tests("perturbation", "bim")
test_pgd = contract_tests("perturbation", "pgd", stochastic=True)
test_pgd_l2 = contract_tests("perturbation", "pgd-l2", stochastic=True)
test_mim = contract_tests("perturbation", "mim")
test_apgd = contract_tests("perturbation", "apgd", stochastic=True)
test_apgd_t = contract_tests("perturbation", "apgd-t", stochastic=True)
test_square = contract_tests("perturbation", "square", stochastic=True)
test_auto_attack = contract_tests("perturbation", "auto-attack", stochastic=True,
                                  params={"steps": 10, "square_queries": 100})
