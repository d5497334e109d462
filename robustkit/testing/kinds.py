"""The contracts that run a component: one function per (kind, check), perturbations and
defenses here, the other kinds in :mod:`robustkit.testing.kinds_builders`. Imports torch."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import torch
from torch import nn

from robustkit.adapters import apply_defense, model_access
from robustkit.components import DefenseForm, Kind, Target
from robustkit.config import TrainingConfig
from robustkit.data import (
    DataBundle,
    DefenseContext,
    PerturbContext,
    derive_seed,
    make_generator,
)
from robustkit.testing import kinds_builders
from robustkit.testing.failure import fail
from robustkit.testing.subject import OTHER_SEED, SEED, UNSEEDED_FIX, Subject
from robustkit.testing.synthetic import TinyNet, same, scramble_global_rng, seed_everything


def run(suite: Subject, check: str) -> None:
    _CHECKS[(suite.kind, check)](suite)


# -- perturbations ----------------------------------------------------------------------------
def _tiny_model(info: Any, device: str) -> nn.Module:
    seed_everything(7)  # the same untrained weights on every call
    return TinyNet()(info).to(device).eval()


def _perturb(suite: Subject, *, seed: int = SEED, scramble: int = 0,
             bounds: tuple[float, float] = (0.0, 1.0), device: str = "cpu",
             params: Any = None, check: str = "perturbation-bounds",
             ) -> tuple[torch.Tensor, torch.Tensor, Any, bool]:
    """Perturb a batch; return (original, perturbed, info, labels_changed)."""
    spec = suite.spec
    data = suite.bundle(0, bounds)
    labels = Target.TEST_INPUTS not in spec.targets and Target.TRAIN_LABELS in spec.targets
    x = (data.x_test if Target.TEST_INPUTS in spec.targets else data.x_train).to(device)
    y = (data.y_test if Target.TEST_INPUTS in spec.targets else data.y_train).to(device)
    access = model_access(spec.needs, _tiny_model(data.info, device), data.info, 512)
    ctx = PerturbContext(info=data.info, seed=derive_seed(seed, "contract"),
                         generator=make_generator(seed, "contract"), model=access, device=device)
    pert = suite.build(params)
    before = (y if labels else x).clone()
    scramble_global_rng(scramble)
    out = pert.perturb(x, y, ctx)
    if not same(y if labels else x, before):
        fail(spec, check, "perturb() changed its input tensor in place",
             "work on a copy (x = x.clone()) and return it")
    return before, out, data.info, labels


def _strongest(suite: Subject) -> Any:
    """The params at the strength's upper bound, if the perturbation declares one."""
    spec = suite.spec
    base = suite.params()
    if not spec.strength:
        return None
    prop = spec.params.model_json_schema()["properties"].get(spec.strength, {})
    top = prop.get("maximum") if suite.strongest is None else suite.strongest
    if top is None or not math.isfinite(top) or getattr(base, spec.strength) == top:
        return None
    return spec.validate_params({**base.model_dump(), spec.strength: top})


def _check_output(suite: Subject, before: torch.Tensor, out: Any, info: Any,
                  labels: bool, check: str, where: str, values: bool = True) -> None:
    spec = suite.spec
    if not isinstance(out, torch.Tensor) or out.shape != before.shape:
        got = tuple(out.shape) if isinstance(out, torch.Tensor) else type(out).__name__
        fail(spec, check, f"perturb() returned {got} {where}; expected shape "
             f"{tuple(before.shape)}", "return a tensor of the shape of what it changes")
    if out.device != before.device:
        fail(spec, check, f"perturb() returned a tensor on {out.device} for inputs on "
             f"{before.device}", "create new tensors on x.device (or ctx.device)")
    if not values:
        return
    if labels:
        if out.dtype != before.dtype or (info.num_classes and (
                int(out.min()) < 0 or int(out.max()) >= info.num_classes)):
            fail(spec, check, f"perturbed labels {where} are not class indices of the same "
                 f"dtype in [0, {info.num_classes})", "return labels like the ones it received")
        return
    if out.is_floating_point() and not torch.isfinite(out).all():
        fail(spec, check, f"perturb() produced NaN or infinity {where}",
             "guard divisions and logs, and clamp the result")
    lo, hi = info.bounds
    if float(out.min()) < lo - 1e-5 or float(out.max()) > hi + 1e-5:
        fail(spec, check,
             f"perturbed inputs {where} span [{float(out.min()):.4g}, {float(out.max()):.4g}], "
             f"outside the data bounds [{lo}, {hi}]",
             "clamp the result to ctx.info.bounds: x.clamp(*ctx.info.bounds) (read the bounds "
             "from ctx.info, never assume [0, 1])")


def perturbation_bounds(suite: Subject) -> None:
    settings = [("at the default params", None)]
    strongest = _strongest(suite)
    if strongest is not None:
        settings.append((f"at {suite.spec.strength}={getattr(strongest, suite.spec.strength)}",
                         strongest))
    all_bounds = [(0.0, 1.0)] if suite.data is not None else [(0.0, 1.0), (-1.0, 0.5)]
    for bounds in all_bounds:
        for where, params in settings:
            before, out, info, labels = _perturb(suite, bounds=bounds, params=params)
            _check_output(suite, before, out, info, labels, "perturbation-bounds",
                          f"{where} with bounds {list(bounds)}")


def perturbation_seed(suite: Subject) -> None:
    spec = suite.spec
    _, first, _, _ = _perturb(suite, scramble=1, check="seed")
    _, again, _, _ = _perturb(suite, scramble=2, check="seed")
    if not same(first, again):
        fail(spec, "seed", "two runs with the same ctx.seed gave different outputs", UNSEEDED_FIX)
    if suite.stochastic:
        _, other, _, _ = _perturb(suite, seed=OTHER_SEED, scramble=1, check="seed")
        if same(first, other):
            fail(spec, "seed", "it is declared stochastic but two different seeds gave the same "
                 "output, so every run repeats one noise draw",
                 "draw from ctx.generator instead of a generator with a fixed seed")


def perturbation_device(suite: Subject) -> None:
    for device in suite.devices():
        before, out, info, labels = _perturb(suite, device=device, check="device")
        _check_output(suite, before, out, info, labels, "device", f"on {device}", values=False)


# -- defenses ---------------------------------------------------------------------------------
def _defend(suite: Subject, *, seed: int = SEED, scramble: int = 0,
            device: str = "cpu") -> tuple[nn.Module, nn.Module, DataBundle]:
    """Apply the defense to a tiny model; return (original, defended, data)."""
    from robustkit.trainer import Trainer

    spec = suite.spec
    data = suite.bundle(0)
    model = _tiny_model(data.info, device)
    original = _tiny_model(data.info, device)
    ctx = DefenseContext(info=data.info, seed=seed, device=device)
    defense = suite.build()
    scramble_global_rng(scramble)
    trainer = None
    if spec.form is DefenseForm.TRAINING:
        model.train()
        trainer = Trainer(TrainingConfig(epochs=2, batch_size=32), data.info.task, seed=seed,
                          device=device)
        seed_everything(derive_seed(seed, "defense", spec.name))  # as the pipeline does
    defended = apply_defense(spec.form, defense, model, data, ctx, trainer)
    where = {DefenseForm.TRAINING: "train(model, data, trainer, ctx)",
             DefenseForm.INPUT_TRANSFORM: "the model behind transform(x)",
             DefenseForm.MODEL_WRAPPER: "wrap(model, ctx)"}[spec.form]
    if not isinstance(defended, nn.Module):
        fail(spec, "defense-interface", f"{where} returned {type(defended).__name__}",
             "return a torch.nn.Module that maps inputs to outputs like the model it received")
    return original, defended.eval(), data


def _outputs(model: nn.Module, x: torch.Tensor, scramble: int = 0) -> torch.Tensor:
    scramble_global_rng(scramble)
    with torch.no_grad():
        return model(x)


def defense_interface(suite: Subject) -> None:
    spec = suite.spec
    original, defended, data = _defend(suite)
    x = data.x_test
    want = _outputs(original, x)
    got = _outputs(defended, x)
    if not isinstance(got, torch.Tensor) or got.shape != want.shape:
        shape = tuple(got.shape) if isinstance(got, torch.Tensor) else type(got).__name__
        fail(spec, "defense-interface", f"the defended model returns {shape} for inputs of "
             f"shape {tuple(x.shape)}; the undefended model returns {tuple(want.shape)}",
             "keep the model's interface: same input shape in, same output shape out")
    if not torch.isfinite(got).all():
        fail(spec, "defense-interface", "the defended model outputs NaN or infinity",
             "check the defense's arithmetic on inputs at the data bounds")
    if spec.form is DefenseForm.INPUT_TRANSFORM:
        defense = suite.build()
        if hasattr(defense, "fit"):
            defense.fit(data, DefenseContext(info=data.info, seed=SEED))
        xt = defense.transform(x.clone())
        lo, hi = data.info.bounds
        if not isinstance(xt, torch.Tensor) or xt.shape != x.shape:
            fail(spec, "defense-interface", "transform(x) changed the input shape",
                 "return inputs of the shape it received")
        if float(xt.detach().min()) < lo - 1e-5 or float(xt.detach().max()) > hi + 1e-5:
            fail(spec, "defense-interface",
                 f"transform(x) leaves the data bounds [{lo}, {hi}]",
                 "clamp the transformed inputs to the bounds the model was trained on")


def defense_gradients(suite: Subject) -> None:
    spec = suite.spec
    if not spec.differentiable:
        return  # gradient attacks are refused at validation; nothing to check
    _, defended, data = _defend(suite)
    x = data.x_test[:8].clone().requires_grad_(True)
    out = defended(x)
    grad = torch.autograd.grad(out.sum(), x, allow_unused=True)[0]
    if grad is None or not torch.isfinite(grad).all() or float(grad.abs().sum()) == 0.0:
        fail(spec, "defense-gradients",
             "it is registered differentiable (the default) but no useful gradient reaches "
             "the inputs through the defended model, so gradient attacks would fail silently "
             "and overstate its robustness (gradient masking, Athalye et al. 2018)",
             "register it with differentiable=False (gradient attacks are then refused), or "
             "keep the transform differentiable (e.g. a straight-through estimator)")


def defense_seed(suite: Subject) -> None:
    _, first, data = _defend(suite, scramble=1)
    _, again, _ = _defend(suite, scramble=2)
    if not same(_outputs(first, data.x_test, 3), _outputs(again, data.x_test, 4)):
        fail(suite.spec, "seed", "two runs with the same ctx.seed gave different defended "
             "outputs", UNSEEDED_FIX + " (an input transform seeds itself in fit(data, ctx))")


def defense_device(suite: Subject) -> None:
    for device in suite.devices():
        _, defended, data = _defend(suite, device=device)
        out = _outputs(defended, data.x_test.to(device))
        if out.device.type != torch.device(device).type:
            fail(suite.spec, "device", f"the defended model returns outputs on {out.device} "
                 f"for inputs on {device}", "create tensors on the input's device")


_CHECKS: dict[tuple[Kind, str], Callable[[Subject], None]] = {
    (Kind.PERTURBATION, "perturbation-bounds"): perturbation_bounds,
    (Kind.PERTURBATION, "seed"): perturbation_seed,
    (Kind.PERTURBATION, "device"): perturbation_device,
    (Kind.DEFENSE, "defense-interface"): defense_interface,
    (Kind.DEFENSE, "defense-gradients"): defense_gradients,
    (Kind.DEFENSE, "seed"): defense_seed,
    (Kind.DEFENSE, "device"): defense_device,
    **kinds_builders.CHECKS,
}
