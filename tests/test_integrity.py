"""Each integrity check fires on a case built to trigger it and stays quiet on a sound one."""

import torch
from torch import nn

from robustkit import integrity as ig
from robustkit.integrity import Setting


def S(label, acc, **kw):
    return Setting(label=label, perturbation=label.split("[")[0], accuracy=acc, **kw)


# -- row checks ---------------------------------------------------------------------------

def test_iterative_weaker_than_one_step():
    one = S("fgsm[eps=0.1]", 0.30, threat="white-box", iterative=False, strength=0.1,
            norm="linf")
    weak = S("pgd[eps=0.1]", 0.45, threat="white-box", iterative=True, strength=0.1, norm="linf")
    strong = S("pgd[eps=0.1]", 0.12, threat="white-box", iterative=True, strength=0.1,
               norm="linf")
    flags = ig.check_iterative_weaker([one, weak])
    assert [f.check for f in flags] == ["iterative-weaker-than-one-step"]
    assert flags[0].label == "pgd[eps=0.1]" and "45.0%" in flags[0].message
    assert ig.check_iterative_weaker([one, strong]) == []
    # a different budget is not comparable
    other = S("pgd[eps=0.05]", 0.45, threat="white-box", iterative=True, strength=0.05,
              norm="linf")
    assert ig.check_iterative_weaker([one, other]) == []


def test_accuracy_rising_with_strength():
    curve = [S(f"pgd[eps={e}]", a, threat="white-box", strength=e)
             for e, a in [(0.05, 0.6), (0.1, 0.3), (0.2, 0.5)]]
    flags = ig.check_monotone_in_strength(curve)
    assert [f.label for f in flags] == ["pgd[eps=0.2]"]
    falling = [S(f"pgd[eps={e}]", a, strength=e) for e, a in [(0.05, 0.6), (0.1, 0.3)]]
    assert ig.check_monotone_in_strength(falling) == []


def test_unbounded_attack_not_reaching_zero():
    assert ig.check_unbounded_reaches_zero([S("cw-l2", 0.4, unbounded=True)])
    assert ig.check_unbounded_reaches_zero([S("cw-l2", 0.0, unbounded=True)]) == []
    assert ig.check_unbounded_reaches_zero([S("pgd[eps=0.1]", 0.4)]) == []


def test_black_box_stronger_than_white_box():
    white = S("pgd[eps=0.1]", 0.6, threat="white-box", strength=0.1, norm="linf")
    black = S("zoo[eps=0.1]", 0.2, threat="black-box", strength=0.1, norm="linf")
    flags = ig.check_blackbox_stronger([white, black])
    assert flags and flags[0].label == "pgd[eps=0.1]" and "score-only" in flags[0].message
    fair = S("zoo[eps=0.1]", 0.7, threat="black-box", strength=0.1, norm="linf")
    assert ig.check_blackbox_stronger([white, fair]) == []


# -- model checks -------------------------------------------------------------------------

def _linear_task(seed=0, n=256):
    gen = torch.Generator().manual_seed(seed)
    y = torch.randint(0, 2, (n,), generator=gen)
    x = (torch.rand(n, 4, generator=gen) * 0.5 + y[:, None] * 0.5).clamp(0, 1)
    torch.manual_seed(seed)
    model = nn.Linear(4, 2)
    opt = torch.optim.Adam(model.parameters(), lr=0.05)
    for _ in range(200):
        opt.zero_grad()
        nn.functional.cross_entropy(model(x), y).backward()
        opt.step()
    return model.eval(), x, y


def test_random_noise_stronger_than_a_broken_attack():
    model, x, y = _linear_task()
    clean_acc = ig.accuracy(model(x), y)  # a do-nothing attack leaves clean accuracy
    kw = dict(eps=0.4, norm="linf", bounds=(0.0, 1.0), label="broken[eps=0.4]",
              generator=torch.Generator().manual_seed(0))
    flags = ig.check_random_noise(lambda z: model(z), x, y, attack_accuracy=clean_acc, **kw)
    assert [f.check for f in flags] == ["random-noise-stronger"]
    # a real FGSM at the same eps is stronger than random noise: quiet
    xg = x.clone().requires_grad_(True)
    (g,) = torch.autograd.grad(nn.functional.cross_entropy(model(xg), y), xg)
    fgsm_acc = ig.accuracy(model((x + 0.4 * g.sign()).clamp(0, 1)), y)
    kw["generator"] = torch.Generator().manual_seed(0)
    assert ig.check_random_noise(lambda z: model(z), x, y, attack_accuracy=fgsm_acc, **kw) == []


def test_more_steps_changing_the_result():
    assert ig.check_more_steps(0.50, 0.30, "pgd[eps=0.1]", 5)
    assert ig.check_more_steps(0.30, 0.295, "pgd[eps=0.1]", 5) == []


def test_zero_gradients_from_a_saturated_softmax():
    model, x, y = _linear_task()

    class Saturated(nn.Module):
        def forward(self, z):
            return model(z) * 1e4

    flags = ig.check_gradients(Saturated(), x, y, "pgd")
    assert [f.check for f in flags] == ["zero-gradients"]
    assert ig.check_gradients(model, x, y, "pgd") == []


def test_nan_gradients():
    model, x, y = _linear_task()

    class NaNs(nn.Module):
        def forward(self, z):
            return model(z + torch.sqrt(z - z))

    assert [f.check for f in ig.check_gradients(NaNs(), x, y, "pgd")] == ["nan-gradients"]


# -- in a pipeline: flags are stored next to the numbers they doubt ---------------------------

def test_pipeline_flags_gradient_masking_and_a_broken_attack(toy_host, toy_config):
    from robustkit.store import Store

    masked = toy_config.replace(model="saturated-linear", perturbations=[
        {"name": "toy-pgd", "eps": 0.3}, {"name": "do-nothing", "eps": 0.3}])
    result = masked.run(host=toy_host)
    checks = {(f.label, f.check) for f in result.flags}
    assert ("toy-pgd[eps=0.3]", "zero-gradients") in checks
    assert ("do-nothing[eps=0.3]", "random-noise-stronger") in checks
    with Store(toy_config.store) as db:
        stored = {(f["label"], f["check"]) for f in db.flags(result.run_id)}
    assert checks == stored


def test_pipeline_stays_quiet_on_a_sound_evaluation(toy_host, toy_config):
    sound = toy_config.replace(perturbations=[
        {"name": "toy-pgd", "eps": [0.1, 0.3], "steps": 10},
        {"name": "grad-sign", "amount": 0.3}])
    result = sound.run(host=toy_host)
    assert result.flags == []
    assert result.value("acc", "toy-pgd[eps=0.3,steps=10]") < result.value("acc")


def test_pipeline_flags_an_unconverged_attack(toy_host, toy_config):
    slow = toy_config.replace(perturbations=[
        {"name": "toy-pgd", "eps": 0.4, "steps": 2, "step_ratio": 0.05}])
    result = slow.run(host=toy_host)
    assert "more-steps-change-result" in {f.check for f in result.flags}
