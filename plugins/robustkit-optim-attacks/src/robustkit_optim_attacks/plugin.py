"""Registers C&W L2, ZOO, AutoZOOM and the attack metrics. Factories are lazy strings, so
listing plugins never imports torch."""

from robustkit import NoParams, Threat, hookimpl
from robustkit_optim_attacks.params import AutoZoomParams, CWL2Params, ZooParams

_P = "robustkit_optim_attacks"
_TASKS = ["classification"]


# minimises the L2 distortion rather than staying in a budget (docs/integrity.md)
_UNBOUNDED_L2 = Threat(norm="l2", iterative=True, unbounded=True)


@hookimpl
def robustkit_register_perturbations(register):
    register.perturbation(
        "cw-l2",
        f"{_P}.cw:CarliniWagnerL2",
        params=CWL2Params,
        tasks=_TASKS,
        needs="gradients",
        targets=["test-inputs"],
        strength="confidence",
        threat=_UNBOUNDED_L2,
        summary="Carlini-Wagner L2: tanh variables, binary search over c, Adam (2017)",
    )
    register.perturbation(
        "zoo",
        f"{_P}.zoo:Zoo",
        params=ZooParams,
        tasks=_TASKS,
        needs="scores",
        targets=["test-inputs"],
        strength="max_queries",
        threat=_UNBOUNDED_L2,
        summary="ZOO: coordinate-wise zeroth-order ADAM/Newton on scores only (2017)",
    )
    register.perturbation(
        "autozoom",
        f"{_P}.autozoom:AutoZoom",
        params=AutoZoomParams,
        tasks=_TASKS,
        needs="scores",
        targets=["test-inputs"],
        strength="max_queries",
        threat=_UNBOUNDED_L2,
        summary="AutoZOOM: random-vector gradient estimates in a reduced space (2019)",
    )


@hookimpl
def robustkit_register_metrics(register):
    register.metric(
        "attack-success-rate",
        f"{_P}.metrics:SuccessRate",
        params=NoParams,
        tasks=_TASKS,
        higher_is_better=False,
        summary="share of correctly classified samples the attack turned wrong",
    )
    register.metric(
        "l2-distortion",
        f"{_P}.metrics:L2Distortion",
        params=NoParams,
        tasks=_TASKS,
        summary="mean and median L2 perturbation of successful adversarial examples",
    )
    register.metric(
        "linf-distortion",
        f"{_P}.metrics:LinfDistortion",
        params=NoParams,
        tasks=_TASKS,
        summary="mean and median L-inf perturbation of successful adversarial examples",
    )
    register.metric(
        "queries-per-success",
        f"{_P}.metrics:QueriesPerSuccess",
        params=NoParams,
        tasks=_TASKS,
        summary="model queries a black-box attack spent per successful example",
    )
