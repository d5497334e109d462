"""The components keep robustkit's contracts where the contracts apply to their task.

The model and metric contracts assume classification/regression outputs (N x classes), so
they do not apply to the image-to-image models and metrics; their behaviour is tested in
test_enhancer.py, test_classical.py and test_metrics.py instead.
"""

from uw_helpers import rgb_classification

from robustkit.testing import contract_tests

test_underwater = contract_tests("perturbation", "underwater", stochastic=True,
                                 data=rgb_classification)
test_underwater_pairs = contract_tests(
    "dataset", "underwater-pairs", stochastic=True,
    params={"train_images": ["astronaut"], "test_images": ["chelsea"], "scale": 0.25,
            "patch": 32, "variants": 1})
test_color_digits = contract_tests("dataset", "color-digits", stochastic=True)
test_enhancer_defense = contract_tests(
    "defense", "underwater-enhancer", data=rgb_classification,
    params={"epochs": 2, "growth": 4, "layers": 1})
test_gray_world = contract_tests("defense", "gray-world", data=rgb_classification)
test_clahe = contract_tests("defense", "clahe", data=rgb_classification)
test_dark_channel_prior = contract_tests("defense", "dark-channel-prior",
                                         data=rgb_classification)
