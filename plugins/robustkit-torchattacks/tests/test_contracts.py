"""torchattacks adapters keep robustkit's perturbation contracts (robustkit.testing)."""

import pytest

from robustkit.testing import contract_tests

pytest.importorskip("torchattacks")

test_ta_pgd = contract_tests("perturbation", "ta-pgd", params={"steps": 3})
test_ta_fgsm = contract_tests("perturbation", "ta-fgsm")
