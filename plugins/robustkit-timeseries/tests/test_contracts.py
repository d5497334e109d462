"""The time-series components keep robustkit's contracts."""

from robustkit.components import Modality, Task
from robustkit.testing import contract_tests
from robustkit.testing.synthetic import synthetic_bundle


def _windows(seed):
    """Perturbations act on forecast windows (N x T x F), not the default images."""
    return synthetic_bundle(seed, task=Task.REGRESSION, modality=Modality.SEQUENCE)


test_mackey_glass = contract_tests("dataset", "mackey-glass", params={"length": 300})
test_lorenz = contract_tests("dataset", "lorenz", params={"length": 300})
test_rossler = contract_tests("dataset", "rossler", params={"length": 300})

test_narx = contract_tests("model", "narx")
test_rnn = contract_tests("model", "rnn")
test_chaotic_rnn = contract_tests("model", "chaotic-rnn", params={"hidden": 8})
test_bilstm = contract_tests("model", "bilstm", params={"units": 8})

test_ts_noise = contract_tests("perturbation", "ts-noise", stochastic=True,
    data=_windows)
test_ts_outliers = contract_tests("perturbation", "ts-outliers", stochastic=True,
    data=_windows)
test_ts_drift = contract_tests("perturbation", "ts-drift", stochastic=True,
    data=_windows)
test_ts_missing = contract_tests("perturbation", "ts-missing", stochastic=True,
    data=_windows)
test_ts_fgsm = contract_tests("perturbation", "ts-fgsm",
    data=_windows)
test_ts_pgd = contract_tests("perturbation", "ts-pgd", stochastic=True,
    data=_windows)
