"""robustkit's contracts for every detection component.

Datasets and the two input perturbations run the whole suite. The detector, the metrics and
the attack run the contracts that apply to detection: the kernel's model-build and metric-value
checks expect (batch, classes) outputs and its attack checks use a classifier without a
detection loss, so those are covered by this plugin's own tests instead.
"""

import pytest
from robustkit_detection.params import SproutParams
from robustkit_detection.sprouts import TeaSprouts

from robustkit.testing import ContractSuite, contract_tests
from robustkit.testing.contracts import COMMON_CHECKS

TINY = dict(n_train=16, n_test=8, image_size=32, max_sprouts=3)


def tiny(seed):
    return TeaSprouts(SproutParams(**TINY)).load(seed)


test_tea_sprouts = contract_tests("dataset", "tea-sprouts", params=TINY, stochastic=True)
test_occlusion_patches = contract_tests("perturbation", "occlusion-patches", data=tiny,
                                        stochastic=True)
test_lighting_change = contract_tests("perturbation", "lighting-change", data=tiny,
                                      stochastic=True)

PARTIAL = [
    ("model", "sprout-detector", {}, ["seed", "device"]),
    ("perturbation", "detection-pgd", {}, []),
    ("dataset", "yolo-folder", {"root": "labels", "num_classes": 2}, []),
    *((("metric", m, {}, [])) for m in ("map50", "map50-95", "box-precision", "box-recall")),
]


@pytest.mark.parametrize("kind, name, params, extra", PARTIAL, ids=[p[1] for p in PARTIAL])
@pytest.mark.parametrize("check", [*COMMON_CHECKS, "kind"])
def test_applicable_contracts(kind, name, params, extra, check):
    suite = ContractSuite(kind, name, params=params, data=tiny)
    if check == "kind":
        for name_ in extra:
            suite.run_check(name_)
    else:
        suite.run_check(check)
