"""Each corruption is seeded, stays in the data bounds and grows with its severity."""

from __future__ import annotations

import pytest
import torch
from robustkit_corruptions.corruption import Corruption
from robustkit_corruptions.params import SEVERITIES, CorruptionParams

from robustkit import DataError, DataInfo, Modality, Task
from robustkit.data import PerturbContext, make_generator

NAMES = sorted(SEVERITIES)


def _images(c: int, h: int, w: int, lo: float, hi: float, n: int = 12) -> torch.Tensor:
    gen = torch.Generator().manual_seed(0)
    # smooth-ish images with structure, so blurs and JPEG have something to change
    base = torch.rand(n, c, h // 2, w // 2, generator=gen)
    x = torch.nn.functional.interpolate(base, size=(h, w), mode="nearest")
    return lo + (hi - lo) * x


def _ctx(info: DataInfo, seed: int = 0) -> PerturbContext:
    return PerturbContext(info=info, seed=seed, generator=make_generator(seed, "t"))


@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("shape,bounds", [((1, 8, 8), (0.0, 1.0)), ((3, 16, 12), (-1.0, 2.0))])
def test_bounds_and_severity_order(name, shape, bounds):
    info = DataInfo(Task.CLASSIFICATION, Modality.IMAGE, shape, bounds, 10)
    x = _images(*shape, *bounds)
    changes = []
    for severity in (1, 5):
        out = Corruption(name, CorruptionParams(severity=severity)).perturb(x, None, _ctx(info))
        assert out.shape == x.shape and out.dtype == x.dtype
        assert torch.isfinite(out).all()
        assert float(out.min()) >= bounds[0] and float(out.max()) <= bounds[1]
        changes.append(float((out - x).abs().mean()))
    assert 0 < changes[0] < changes[1], f"{name}: severity 1 {changes[0]} vs 5 {changes[1]}"


@pytest.mark.parametrize("name", ["gaussian-noise-c", "motion-blur", "fog"])
def test_seeded(name):
    info = DataInfo(Task.CLASSIFICATION, Modality.IMAGE, (1, 8, 8), (0.0, 1.0), 10)
    x = _images(1, 8, 8, 0.0, 1.0)
    c = Corruption(name, CorruptionParams(severity=3))
    a, b = c.perturb(x, None, _ctx(info, 1)), c.perturb(x, None, _ctx(info, 1))
    other = c.perturb(x, None, _ctx(info, 2))
    assert torch.equal(a, b)
    assert not torch.equal(a, other)


def test_rejects_non_image():
    info = DataInfo(Task.CLASSIFICATION, Modality.VECTOR, (5,), (0.0, 1.0), 2)
    with pytest.raises(DataError, match=r"\(N, C, H, W\)"):
        Corruption("fog", CorruptionParams()).perturb(torch.rand(4, 5), None, _ctx(info))


def test_registered_through_the_plugin():
    import robustkit_corruptions.plugin as plugin

    from robustkit import Kind
    from robustkit.plugins import PluginHost

    host = PluginHost(load_entry_points=False, extra=[plugin])
    names = {s.name for s in host.registry.specs(Kind.PERTURBATION)}
    assert set(NAMES) <= names
    spec = host.registry.get(Kind.PERTURBATION, "jpeg")
    assert spec.strength == "severity"
    with pytest.raises(Exception, match="severity"):
        spec.validate_params({"severity": 6})
