"""Every corruption and the corruption-error metric keep robustkit's contracts."""

from robustkit.testing import contract_tests

test_gaussian_noise_c = contract_tests("perturbation", "gaussian-noise-c", stochastic=True)
test_shot_noise = contract_tests("perturbation", "shot-noise", stochastic=True)
test_impulse_noise = contract_tests("perturbation", "impulse-noise", stochastic=True)
test_gaussian_blur = contract_tests("perturbation", "gaussian-blur")
test_motion_blur = contract_tests("perturbation", "motion-blur")
test_brightness = contract_tests("perturbation", "brightness")
test_contrast = contract_tests("perturbation", "contrast")
test_illumination_gradient = contract_tests("perturbation", "illumination-gradient")
test_jpeg = contract_tests("perturbation", "jpeg")
test_fog = contract_tests("perturbation", "fog")
test_corruption_error = contract_tests("metric", "corruption-error")
