"""ART adapters keep robustkit's perturbation contracts (robustkit.testing)."""

from robustkit.testing import contract_tests

test_art_pgd = contract_tests("perturbation", "art-pgd",
                              params={"eps": 0.05, "eps_step": 0.01, "max_iter": 3})
test_art_fgsm = contract_tests("perturbation", "art-fgsm", params={"eps": 0.05})
