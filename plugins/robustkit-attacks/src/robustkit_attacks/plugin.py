"""Registers the gradient attacks. Factories are lazy strings: listing imports no torch."""

from robustkit import Threat, hookimpl
from robustkit_attacks.params import BIMParams, FGSMParams, MIMParams, PGDL2Params, PGDParams

_COMMON = dict(needs="gradients", targets=["test-inputs"], strength="eps", tasks=["classification"])


# what the kernel's integrity checks need to compare attacks fairly (docs/integrity.md)
_ONE_STEP = Threat(norm="linf", iterative=False)
_ITERATIVE = Threat(norm="linf", iterative=True)


@hookimpl
def robustkit_register_perturbations(register):
    register.perturbation(
        "fgsm",
        "robustkit_attacks.attacks:FGSM",
        params=FGSMParams,
        summary="fast gradient sign method, one L-inf step (Goodfellow et al. 2015)",
        threat=_ONE_STEP,
        **_COMMON,
    )
    register.perturbation(
        "bim",
        "robustkit_attacks.attacks:BIM",
        params=BIMParams,
        summary="basic iterative method, L-inf sign steps (Kurakin et al. 2017)",
        threat=_ITERATIVE,
        **_COMMON,
    )
    register.perturbation(
        "pgd",
        "robustkit_attacks.attacks:PGD",
        params=PGDParams,
        summary="projected gradient descent, L-inf or L2, random restarts (Madry et al. 2018)",
        threat=_ITERATIVE,
        **_COMMON,
    )
    register.perturbation(
        "pgd-l2",
        "robustkit_attacks.attacks:PGDL2",
        params=PGDL2Params,
        summary="projected gradient descent in the L2 ball (Madry et al. 2018)",
        threat=Threat(norm="l2", iterative=True),
        **_COMMON,
    )
    register.perturbation(
        "mim",
        "robustkit_attacks.attacks:MIM",
        params=MIMParams,
        summary="momentum iterative method, L-inf (Dong et al. 2018)",
        threat=_ITERATIVE,
        **_COMMON,
    )
