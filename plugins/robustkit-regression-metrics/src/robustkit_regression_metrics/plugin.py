"""Registers the regression metrics. Factories are lazy strings."""

from robustkit import NoParams, hookimpl

_M = "robustkit_regression_metrics.metrics"
_TASKS = ["regression"]


@hookimpl
def robustkit_register_metrics(register):
    register.metric(
        "mse",
        f"{_M}:MSE",
        params=NoParams,
        tasks=_TASKS,
        higher_is_better=False,
        summary="mean squared error",
    )
    register.metric(
        "rmse",
        f"{_M}:RMSE",
        params=NoParams,
        tasks=_TASKS,
        higher_is_better=False,
        summary="root mean squared error",
    )
    register.metric(
        "mae",
        f"{_M}:MAE",
        params=NoParams,
        tasks=_TASKS,
        higher_is_better=False,
        summary="mean absolute error",
    )
    register.metric(
        "mape",
        f"{_M}:MAPE",
        params=NoParams,
        tasks=_TASKS,
        higher_is_better=False,
        summary="mean absolute percentage error over targets with |y| > 1e-8",
    )
    register.metric(
        "r2",
        f"{_M}:R2",
        params=NoParams,
        tasks=_TASKS,
        summary="coefficient of determination (1 - SSE / SST)",
    )
