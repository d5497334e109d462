"""Registers the gradient attacks. Factories are lazy strings: listing imports no torch."""

from robustkit import NoParams, hookimpl
from robustkit_attacks.params import (
    APGDCEParams,
    APGDDLRParams,
    APGDParams,
    APGDTParams,
    AutoAttackParams,
    BIMParams,
    FGSMParams,
    MIMParams,
    PGDL2Params,
    PGDParams,
    SquareParams,
)

_COMMON = dict(needs="gradients", targets=["test-inputs"], strength="eps",
               tasks=["classification"])


# what the kernel's integrity checks need to compare attacks fairly (docs/integrity.md)
_ONE_STEP = {"iterative": False, "norm": "linf"}
_ITERATIVE = {"iterative": True, "norm": "linf"}


@hookimpl
def robustkit_register_perturbations(register):
    register("fgsm", "robustkit_attacks.attacks:FGSM", params=FGSMParams,
             summary="fast gradient sign method, one L-inf step (Goodfellow et al. 2015)",
             extra=_ONE_STEP, **_COMMON)
    register("bim", "robustkit_attacks.attacks:BIM", params=BIMParams,
             summary="basic iterative method, L-inf sign steps (Kurakin et al. 2017)",
             extra=_ITERATIVE, **_COMMON)
    register("pgd", "robustkit_attacks.attacks:PGD", params=PGDParams,
             summary="projected gradient descent, L-inf or L2, random restarts (Madry et al. "
                     "2018)", extra=_ITERATIVE, **_COMMON)
    register("pgd-l2", "robustkit_attacks.attacks:PGDL2", params=PGDL2Params,
             summary="projected gradient descent in the L2 ball (Madry et al. 2018)",
             extra={"iterative": True, "norm": "l2"}, **_COMMON)
    register("mim", "robustkit_attacks.attacks:MIM", params=MIMParams,
             summary="momentum iterative method, L-inf (Dong et al. 2018)",
             extra=_ITERATIVE, **_COMMON)
    _register_apgd(register)
    register("square", "robustkit_attacks.square_attack:Square", params=SquareParams,
             summary="Square attack: score-only random search, L-inf or L2 (Andriushchenko "
                     "et al. 2020)", needs="scores", targets=["test-inputs"], strength="eps",
             tasks=["classification"], extra=_ITERATIVE)
    register("auto-attack", "robustkit_attacks.autoattack:AutoAttack", params=AutoAttackParams,
             summary="AutoAttack ensemble: APGD-CE, APGD-T, Square on what is still robust; "
                     "rand: APGD with EOT (Croce & Hein 2020)", extra=_ITERATIVE, **_COMMON)


@hookimpl
def robustkit_register_metrics(register):
    register("attack-stages", "robustkit_attacks.metrics:AttackStages", params=NoParams,
             tasks=["classification"], higher_is_better=False,
             summary="samples each stage of an attack ensemble (auto-attack) broke first")


def _register_apgd(register):
    cite = "(Croce & Hein 2020)"
    register("apgd", "robustkit_attacks.apgd_attack:APGD", params=APGDParams,
             summary=f"Auto-PGD: step-size schedule, momentum, CE/DLR, L-inf or L2 {cite}",
             extra=_ITERATIVE, **_COMMON)
    register("apgd-ce", "robustkit_attacks.apgd_attack:APGDCE", params=APGDCEParams,
             summary=f"APGD on the cross-entropy, AutoAttack's first stage {cite}",
             extra=_ITERATIVE, **_COMMON)
    register("apgd-dlr", "robustkit_attacks.apgd_attack:APGDDLR", params=APGDDLRParams,
             summary=f"APGD on the scale-invariant DLR loss {cite}",
             extra=_ITERATIVE, **_COMMON)
    register("apgd-t", "robustkit_attacks.apgd_attack:APGDT", params=APGDTParams,
             summary=f"targeted APGD-DLR towards the top-9 other classes {cite}",
             extra=_ITERATIVE, **_COMMON)
