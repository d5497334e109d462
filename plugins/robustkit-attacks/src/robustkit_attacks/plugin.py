"""Registers the attacks and the attack-stages metric. Factories are lazy strings: listing
imports no torch."""

from robustkit import NoParams, Threat, hookimpl
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
    _register_autoattack_family(register)


def _register_autoattack_family(register):
    """APGD and its AutoAttack aliases, Square, and the auto-attack ensemble."""
    cite = "(Croce & Hein 2020)"
    for name, factory, params, summary in [
        ("apgd", "APGD", APGDParams,
         f"Auto-PGD: step-size schedule, momentum, CE/DLR, L-inf or L2 {cite}"),
        ("apgd-ce", "APGDCE", APGDCEParams,
         f"APGD on the cross-entropy, AutoAttack's first stage {cite}"),
        ("apgd-dlr", "APGDDLR", APGDDLRParams, f"APGD on the scale-invariant DLR loss {cite}"),
        ("apgd-t", "APGDT", APGDTParams,
         f"targeted APGD-DLR towards the top-9 other classes {cite}"),
    ]:
        register.perturbation(name, f"robustkit_attacks.apgd_attack:{factory}", params=params,
                              summary=summary, threat=_ITERATIVE, **_COMMON)
    register.perturbation(
        "square",
        "robustkit_attacks.square_attack:Square",
        params=SquareParams,
        summary="Square attack: score-only random search, L-inf or L2 (Andriushchenko et al. "
                "2020)",
        needs="scores",
        targets=["test-inputs"],
        strength="eps",
        tasks=["classification"],
        threat=_ITERATIVE,
    )
    register.perturbation(
        "auto-attack",
        "robustkit_attacks.autoattack:AutoAttack",
        params=AutoAttackParams,
        summary="AutoAttack ensemble: APGD-CE, APGD-T, Square on what is still robust; rand: "
                f"APGD with EOT {cite}",
        threat=_ITERATIVE,
        **_COMMON,
    )


@hookimpl
def robustkit_register_metrics(register):
    register.metric(
        "attack-stages",
        "robustkit_attacks.metrics:AttackStages",
        params=NoParams,
        tasks=["classification"],
        higher_is_better=False,
        summary="samples each stage of an attack ensemble (auto-attack) broke first",
    )
