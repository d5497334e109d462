"""Registers the classification metrics. Factories are lazy strings."""

from robustkit import NoParams, hookimpl
from robustkit_classification_metrics.params import CalibrationParams, RocAucParams

_TASKS = ["classification"]
_M = "robustkit_classification_metrics.metrics"


@hookimpl
def robustkit_register_metrics(register):
    register.metric(
        "accuracy",
        f"{_M}:Accuracy",
        params=NoParams,
        tasks=_TASKS,
        summary="share of samples whose arg-max prediction is the label",
    )
    register.metric(
        "macro-f1",
        f"{_M}:MacroF1",
        params=NoParams,
        tasks=_TASKS,
        summary="F1 averaged over classes with equal weight (scikit-learn)",
    )
    register.metric(
        "calibration-error",
        f"{_M}:CalibrationError",
        params=CalibrationParams,
        tasks=_TASKS,
        higher_is_better=False,
        summary="expected calibration error of the softmax confidence (Guo et al. 2017)",
    )
    register.metric(
        "roc-auc",
        f"{_M}:RocAuc",
        params=RocAucParams,
        tasks=_TASKS,
        summary="one-vs-rest ROC-AUC of the softmax scores (scikit-learn)",
    )
