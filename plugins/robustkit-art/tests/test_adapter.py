"""ART attacks run through the adapter: they lower accuracy, stay in budget, are seeded, and
a model ART cannot attack is refused at validation with ART's own reason."""

import pytest
import torch

from robustkit import IncompatibleError
from robustkit.data import ScoreOracle
from robustkit.plan import PlanFacts, Resolved, run_component_check
from robustkit.plugins import get_registry


def _attack(name, **params):
    spec = get_registry().get("perturbation", name)
    return spec.build(params)


def _acc(model, x, y):
    with torch.no_grad():
        return float((model(x).argmax(1) == y).float().mean())


def test_art_pgd_lowers_accuracy_within_the_linf_budget(trained, ctx_for):
    model, x, y = trained
    clean = _acc(model, x, y)
    x_adv = _attack("art-pgd", eps=0.15, eps_step=0.03, max_iter=10).perturb(x, y,
                                                                             ctx_for(model))
    assert clean > 0.9
    assert _acc(model, x_adv, y) < clean - 0.3
    assert float((x_adv - x).abs().max()) <= 0.15 + 1e-6
    assert float(x_adv.min()) >= 0 and float(x_adv.max()) <= 1


def test_random_start_is_seeded_by_the_context(trained, ctx_for):
    model, x, y = trained
    atk = _attack("art-pgd", eps=0.1, eps_step=0.02, max_iter=3, num_random_init=1)
    a = atk.perturb(x, y, ctx_for(model, seed=1))
    b = atk.perturb(x, y, ctx_for(model, seed=1))
    c = atk.perturb(x, y, ctx_for(model, seed=2))
    assert torch.equal(a, b) and not torch.equal(a, c)


def test_score_attack_gets_only_the_oracle(trained, ctx_for):
    model, x, y = trained
    oracle = ScoreOracle(lambda t: model(t), num_classes=4)
    x_adv = _attack("art-hsj", max_iter=2, max_eval=50, init_eval=10).perturb(
        x[:16], y[:16], ctx_for(oracle))
    assert oracle.total_queries > 16  # it queried the oracle, not the module
    assert _acc(model, x_adv, y[:16]) < _acc(model, x[:16], y[:16])


def _facts(task="classification"):
    from robustkit.components import Modality, Task

    return PlanFacts(task=Task(task), modality=Modality.VECTOR, dataset="d", model="m",
                     defenses=(), differentiable=True)


def _check(name, task, **params):
    spec = get_registry().get("perturbation", name)
    run_component_check(Resolved(None, spec, spec.validate_params(params)), _facts(task))


def test_regression_model_refused_with_arts_reason_for_a_classifier_attack():
    with pytest.raises(IncompatibleError, match="art-deepfool.*ART refuses the regression "
                                                "model: DeepFool requires an estimator "
                                                "derived from.*ClassGradientsMixin"):
        _check("art-deepfool", "regression")
    _check("art-fgsm", "regression")  # FGSM needs only loss gradients: a regressor has them
    _check("art-deepfool", "classification")


def test_arts_parameter_check_runs_at_validation():
    with pytest.raises(IncompatibleError, match="art-ead.*ART refuses its parameters"):
        _check("art-ead", "classification", decision_rule="L7")


# refused at ART's defaults whatever the inputs: ART itself asks for a value (patch_shape,
# delta) or an optional package (kornia); Pixel and Threshold attacks need images
NEEDS_A_VALUE = {"art-adversarial-patch", "art-feature-adversaries-numpy",
                 "art-composite-adversarial-attack-pytorch"}
IMAGE_ONLY = {"art-pixel", "art-threshold"}


@pytest.mark.parametrize("modality", ["vector", "image"])
def test_catalogued_attacks_pass_validation_at_defaults_except_known(modality):
    from robustkit.components import Modality, Task

    facts = PlanFacts(task=Task.CLASSIFICATION, modality=Modality(modality), dataset="d",
                      model="m", defenses=(), differentiable=True)
    refused = set()
    for spec in get_registry().specs("perturbation"):
        if spec.name.startswith("art-"):
            try:
                run_component_check(Resolved(None, spec, spec.validate_params({})), facts)
            except IncompatibleError:
                refused.add(spec.name)
    expected = NEEDS_A_VALUE | (IMAGE_ONLY if modality == "vector" else set())
    assert refused == expected


def test_regression_models_are_wrapped_in_a_pytorch_regressor():
    from robustkit import DataInfo
    from robustkit.components import Modality, Task
    from robustkit.data import PerturbContext, make_generator

    torch.manual_seed(0)
    x = torch.rand(64, 4)
    model = torch.nn.Linear(4, 1).eval()
    with torch.no_grad():
        y = model(x).squeeze(1) + 0.01 * torch.randn(64)
    info = DataInfo(task=Task.REGRESSION, modality=Modality.VECTOR, input_shape=(4,),
                    output_dim=1)
    ctx = PerturbContext(info=info, seed=0, generator=make_generator(0, "r"), model=model)
    x_adv = _attack("art-fgsm", eps=0.1).perturb(x, y, ctx)

    def mse(inputs):
        with torch.no_grad():
            return float(((model(inputs).squeeze(1) - y) ** 2).mean())

    assert mse(x_adv) > 10 * mse(x)  # the attack pushes predictions away from the targets
    assert float((x_adv - x).abs().max()) <= 0.1 + 1e-6
