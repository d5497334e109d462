"""ZOO and AutoZOOM: success within a query budget, exact per-sample query accounting,
score-only access, and clear errors for broken models."""

import pytest
import torch
from robustkit_optim_attacks import plugin
from robustkit_optim_attacks.autozoom import AutoZoom
from robustkit_optim_attacks.params import AutoZoomParams, ZooParams
from robustkit_optim_attacks.space import DecoderSpace, ResizeSpace
from robustkit_optim_attacks.zoo import Zoo, _importance

from robustkit.errors import DataError, ParamsError, PluginError
from robustkit.plugins import PluginHost

BUDGET = 2000  # queries per sample


def attack(kind, params, model, x, y, kit):
    ctx = kit.context(kit.oracle_of(model))
    x_adv = kind(params).perturb(x, y, ctx)
    return x_adv, ctx


@pytest.mark.parametrize("kind,params", [
    (Zoo, ZooParams(max_queries=BUDGET)),
    (Zoo, ZooParams(max_queries=BUDGET, solver="newton")),
    (Zoo, ZooParams(max_queries=BUDGET, attack_size=4, hierarchy=(8,), hierarchy_every=100)),
    (Zoo, ZooParams(max_queries=BUDGET, importance_sampling=False)),
    (AutoZoom, AutoZoomParams(max_queries=BUDGET)),
    (AutoZoom, AutoZoomParams(max_queries=BUDGET, reduction="none")),
], ids=["zoo-adam", "zoo-newton", "zoo-hierarchical", "zoo-uniform", "autozoom-resize",
        "autozoom-full"])
def test_black_box_attacks_succeed_within_budget(trained, kind, params, kit):
    model, x, y = trained
    x_adv, ctx = attack(kind, params, model, x, y, kit)
    correct, fooled = kit.success(model, x, x_adv, y)
    assert fooled.sum() >= 0.9 * correct.sum()
    assert x_adv.min() >= 0 and x_adv.max() <= 1
    q = ctx.stats["queries"]
    assert q.shape == (len(x),) and (q <= BUDGET).all()
    assert int(q.sum()) == ctx.model.total_queries  # every query is accounted to a sample
    first = ctx.stats["queries_to_success"]
    assert torch.isfinite(first[fooled]).all() and (first[fooled] <= q[fooled]).all()


def test_autozoom_needs_fewer_queries_than_zoo(trained, kit):
    model, x, y = trained
    _, zoo = attack(Zoo, ZooParams(max_queries=BUDGET), model, x, y, kit)
    _, auto = attack(AutoZoom, AutoZoomParams(max_queries=BUDGET), model, x, y, kit)
    both = zoo.stats["attack_succeeded"] & auto.stats["attack_succeeded"]
    assert both.float().mean() > 0.9
    ratio = zoo.stats["queries_to_success"][both].mean() / auto.stats["queries_to_success"][
        both].mean()
    assert ratio > 2


@pytest.mark.slow
def test_autoencoder_space_starts_at_zero_and_attacks(trained, kit):
    model, x, y = trained
    space = DecoderSpace((1, 8, 8), 2, "autozoom")
    mse = space.fit(x, 200, seed=0)
    assert mse < 0.03  # it learned to reconstruct the (unlabelled) inputs
    assert space.to_input(torch.zeros(3, space.dim)).abs().max() == 0
    params = AutoZoomParams(max_queries=BUDGET, reduction="autoencoder", autoencoder_epochs=200)
    x_adv, ctx = attack(AutoZoom, params, model, x, y, kit)
    correct, fooled = kit.success(model, x, x_adv, y)
    assert fooled.sum() >= 0.8 * correct.sum()
    assert ctx.stats["autoencoder_mse"] < 0.03


def test_resize_space_perturbation_is_smooth(kit):
    space = ResizeSpace((1, 8, 8), 2, "zoo")
    delta = space.to_input(torch.tensor([[1.0, 0.0, 0.0, 0.0]]))
    # one coordinate of the 2x2 space moves a whole 4x4 quadrant of the 8x8 image and fades
    # bilinearly across the middle; the opposite corner does not move
    assert (delta[0, 0, :4, :4] > 0.3).all() and delta[0, 0, 6:, 6:].abs().max() < 1e-6


def test_importance_sampling_prefers_perturbed_regions(kit):
    from robustkit_optim_attacks.space import FullSpace

    z = torch.zeros(1, 64, dtype=torch.float64)
    z[0, 0] = 1.0  # the top-left pixel moved
    w = _importance(z, FullSpace((1, 8, 8)))
    assert w[0, 1] > 10 * w[0, 63]  # its neighbour, after max-pooling, beats a far corner


@pytest.mark.slow
def test_refinement_lowers_distortion(trained, kit):
    model, x, y = trained
    first, _ = attack(AutoZoom, AutoZoomParams(max_queries=BUDGET), model, x, y, kit)
    refined, ctx = attack(AutoZoom, AutoZoomParams(max_queries=BUDGET, refine_queries=500),
                          model, x, y, kit)
    _, ok1 = kit.success(model, x, first, y)
    _, ok2 = kit.success(model, x, refined, y)
    both = ok1 & ok2
    l2 = lambda a: (a - x).flatten(1).norm(dim=1)[both].mean()  # noqa: E731
    assert l2(refined) < 0.9 * l2(first)
    assert (ctx.stats["queries"] <= ctx.stats["queries_to_success"].nan_to_num(0) + 500).all()


@pytest.mark.parametrize("kind,params", [
    (Zoo, ZooParams(max_queries=BUDGET, refine_queries=1000)),
    (AutoZoom, AutoZoomParams(max_queries=BUDGET, refine_queries=1000)),
], ids=["zoo", "autozoom"])
@pytest.mark.slow
def test_binary_search_over_c_lowers_distortion_at_the_same_budget(trained, kind, params, kit):
    model, x, y = trained
    fixed, _ = attack(kind, params.model_copy(update={"binary_search_steps": 1}), model, x, y,
                      kit)
    searched, ctx = attack(kind, params, model, x, y, kit)  # 9 stages, the default
    _, ok1 = kit.success(model, x, fixed, y)
    _, ok2 = kit.success(model, x, searched, y)
    assert ok2.sum() >= ok1.sum()  # lowering c never loses a success already found
    both = ok1 & ok2
    l2 = lambda a: (a - x).flatten(1).norm(dim=1)[both].mean()  # noqa: E731
    assert l2(searched) < 0.95 * l2(fixed)  # measured: 0.91x (ZOO), 0.72x (AutoZOOM)
    c = ctx.stats["const"]
    assert (c[ok2] != params.const).any()  # c moved for the samples that were refined
    assert (ctx.stats["queries"] <= BUDGET).all()


# -- score-only access ------------------------------------------------------------------------

class _NoGradientsAllowed(torch.nn.Module):
    """Wraps the model and fails the test if anyone evaluates it with autograd on."""

    def __init__(self, model):
        super().__init__()
        self.model = model
        self.calls = 0

    def forward(self, t):
        assert not torch.is_grad_enabled(), "the attack evaluated the model with autograd on"
        assert not t.requires_grad, "the attack sent inputs that require grad"
        self.calls += t.shape[0]
        return self.model(t)


@pytest.mark.parametrize("kind,params", [(Zoo, ZooParams(max_queries=300)),
                                         (AutoZoom, AutoZoomParams(max_queries=300))])
def test_black_box_attacks_get_scores_only(trained, kind, params, kit):
    model, x, y = trained
    guarded = _NoGradientsAllowed(model)
    # a plain function, not a ScoreOracle: the attack's own checks must hold without the kernel's
    seen = []

    def scores(t):
        seen.append(t)
        return torch.softmax(guarded(t), -1)

    ctx = kit.context(scores)
    kind(params).perturb(x[:10], y[:10], ctx)
    assert guarded.calls == int(ctx.stats["queries"].sum()) > 0
    assert all(p.grad is None for p in model.parameters())
    assert not any(t.requires_grad for t in seen)
    # and it refuses the module itself: given it, it could read gradients and parameters
    with pytest.raises(PluginError, match="must receive a score function"):
        kind(params).perturb(x[:10], y[:10], kit.context(model))


def test_registered_with_scores_access(kit):
    host = PluginHost(load_entry_points=False, extra=[plugin])
    from robustkit.components import Kind, Needs

    reg = host.registry
    assert reg.get(Kind.PERTURBATION, "zoo").needs is Needs.SCORES
    assert reg.get(Kind.PERTURBATION, "autozoom").needs is Needs.SCORES
    assert reg.get(Kind.PERTURBATION, "cw-l2").needs is Needs.GRADIENTS
    with pytest.raises(ParamsError, match="hierarchy"):
        reg.get(Kind.PERTURBATION, "zoo").validate_params({"attack_size": 4, "hierarchy": [3]})
    with pytest.raises(ParamsError, match="max_queries"):
        reg.get(Kind.PERTURBATION, "autozoom").validate_params({"max_queries": 0})


# -- broken models ----------------------------------------------------------------------------

@pytest.mark.parametrize("kind,params", [(Zoo, ZooParams(max_queries=300)),
                                         (AutoZoom, AutoZoomParams(max_queries=300))])
def test_nan_or_misshapen_scores_stop_the_attack(trained, kind, params, kit):
    model, x, y = trained

    def nan_scores(t):
        s = torch.softmax(model(t), -1)
        s[0, 0] = float("nan")
        return s

    with pytest.raises(DataError, match="NaN"):
        kind(params).perturb(x[:5], y[:5], kit.context(nan_scores))
    with pytest.raises(DataError, match=r"expected \(\d+, 10\)"):
        narrow = kit.context(lambda t: torch.softmax(model(t), -1)[:, :7])
        kind(params).perturb(x[:5], y[:5], narrow)
    with pytest.raises(DataError, match="NaN"):  # the kernel's oracle says the same
        from robustkit.data import ScoreOracle

        oracle = ScoreOracle(nan_scores, num_classes=kit.INFO.num_classes)
        kind(params).perturb(x[:5], y[:5], kit.context(oracle))


def test_resize_needs_images(kit):
    with pytest.raises(ParamsError, match="C x H x W"):
        ResizeSpace((64,), 4, "zoo")


@pytest.mark.parametrize("kind,params", [
    (Zoo, ZooParams(max_queries=3 * BUDGET, target="next")),
    (AutoZoom, AutoZoomParams(max_queries=3 * BUDGET, target="next")),
], ids=["zoo", "autozoom"])
def test_targeted_black_box_attacks_reach_their_targets(trained, kind, params, kit):
    model, x, y = trained
    x_adv, ctx = attack(kind, params, model, x, y, kit)
    target = ctx.stats["target"]
    with torch.no_grad():
        correct = model(x).argmax(1) == y
        hit = model(x_adv).argmax(1) == target
    assert torch.equal(target, (y + 1) % 10)
    assert hit[correct].float().mean() >= 0.8
    assert torch.equal(ctx.stats["attack_succeeded"][correct], hit[correct])


def test_least_likely_target_is_paid_for_with_one_query(trained, kit):
    model, x, y = trained
    x_adv, ctx = attack(Zoo, ZooParams(max_queries=200, target="least-likely"), model, x, y, kit)
    with torch.no_grad():
        assert torch.equal(ctx.stats["target"], model(x).argmin(1))
    q = ctx.stats["queries"]
    assert int(q.sum()) == ctx.model.total_queries and (q >= 1).all() and (q <= 200).all()
