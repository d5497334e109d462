"""robustkit's contracts for the speech components they apply to.

The model and metric contracts assume ``(batch, classes)`` outputs, and the gradient-attack
contract attacks a flat MLP; sequence models give ``N x T x K`` frame outputs, so dblstm, the
metrics and feature-pgd are covered by their own tests (test_models, test_metrics,
test_perturbations) instead. The timit loader needs files (test_timit).
"""

from robustkit.testing import contract_tests

from .conftest import small_corpus


def _data(seed):
    return small_corpus(seed, n_train=8, n_test=8)


test_synthetic_phones = contract_tests("dataset", "synthetic-phones", stochastic=True,
                                       params={"n_train": 8, "n_test": 8})
test_feature_noise = contract_tests("perturbation", "feature-noise", stochastic=True, data=_data)
test_channel_distortion = contract_tests("perturbation", "channel-distortion", data=_data)
test_speaking_rate = contract_tests("perturbation", "speaking-rate", data=_data)
test_weight_noise = contract_tests("defense", "weight-noise", params={"sigma": 0.01})
