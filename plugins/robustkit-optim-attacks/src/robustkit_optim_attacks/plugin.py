"""Registers C&W L2, ZOO, AutoZOOM and the attack metrics. Factories are lazy strings, so
listing plugins never imports torch."""

from robustkit import NoParams, hookimpl
from robustkit_optim_attacks.params import AutoZoomParams, CWL2Params, ZooParams

_P = "robustkit_optim_attacks"
_TASKS = ["classification"]


@hookimpl
def robustkit_register_perturbations(register):
    register("cw-l2", f"{_P}.cw:CarliniWagnerL2", params=CWL2Params, tasks=_TASKS,
             needs="gradients", targets=["test-inputs"], strength="confidence",
             extra={"unbounded": True, "iterative": True, "norm": "l2"},
             summary="Carlini-Wagner L2: tanh variables, binary search over c, Adam (2017)")
    register("zoo", f"{_P}.zoo:Zoo", params=ZooParams, tasks=_TASKS, needs="scores",
             targets=["test-inputs"], strength="max_queries",
             extra={"unbounded": True, "iterative": True, "norm": "l2"},
             summary="ZOO: coordinate-wise zeroth-order ADAM/Newton on scores only (2017)")
    register("autozoom", f"{_P}.autozoom:AutoZoom", params=AutoZoomParams, tasks=_TASKS,
             needs="scores", targets=["test-inputs"], strength="max_queries",
             extra={"unbounded": True, "iterative": True, "norm": "l2"},
             summary="AutoZOOM: random-vector gradient estimates in a reduced space (2019)")


@hookimpl
def robustkit_register_metrics(register):
    register("attack-success-rate", f"{_P}.metrics:SuccessRate", params=NoParams, tasks=_TASKS,
             higher_is_better=False,
             summary="share of correctly classified samples the attack turned wrong")
    register("l2-distortion", f"{_P}.metrics:L2Distortion", params=NoParams, tasks=_TASKS,
             summary="mean and median L2 perturbation of successful adversarial examples")
    register("linf-distortion", f"{_P}.metrics:LinfDistortion", params=NoParams, tasks=_TASKS,
             summary="mean and median L-inf perturbation of successful adversarial examples")
    register("queries-per-success", f"{_P}.metrics:QueriesPerSuccess", params=NoParams,
             tasks=_TASKS,
             summary="model queries a black-box attack spent per successful example")
