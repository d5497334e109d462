"""Label-noise perturbations: exact rates, the right flip structure, seeded, clear errors."""

from __future__ import annotations

import pytest
import torch
from robustkit_label_noise.label_noise import AsymmetricNoise, InstanceNoise, SymmetricNoise
from robustkit_label_noise.params import AsymmetricParams, InstanceParams, SymmetricParams

from robustkit import DataError, DataInfo, Modality, Task
from robustkit.data import PerturbContext, make_generator

INFO = DataInfo(Task.CLASSIFICATION, Modality.VECTOR, (6,), (0.0, 1.0), 5)


def _ctx(seed: int = 0) -> PerturbContext:
    return PerturbContext(info=INFO, seed=seed, generator=make_generator(seed, "labels"))


def _data(n: int = 2000):
    gen = torch.Generator().manual_seed(1)
    return torch.rand(n, 6, generator=gen), torch.randint(0, 5, (n,), generator=gen)


@pytest.mark.parametrize("rate", [0.0, 0.2, 0.8])
def test_symmetric_changes_exactly_rate_to_other_classes(rate):
    x, y = _data()
    noisy = SymmetricNoise(SymmetricParams(rate=rate)).perturb(x, y, _ctx())
    assert noisy.shape == y.shape and noisy.dtype == y.dtype
    assert int((noisy != y).sum()) == round(rate * len(y))
    if rate:
        # every wrong class receives a similar share of the flips (uniform over others)
        offsets = ((noisy - y) % 5)[noisy != y]
        counts = torch.bincount(offsets, minlength=5)[1:].float()
        assert float((counts / counts.mean() - 1).abs().max()) < 0.3


def test_symmetric_is_seeded():
    x, y = _data()
    p = SymmetricNoise(SymmetricParams(rate=0.5))
    assert torch.equal(p.perturb(x, y, _ctx(3)), p.perturb(x, y, _ctx(3)))
    assert not torch.equal(p.perturb(x, y, _ctx(3)), p.perturb(x, y, _ctx(4)))


def test_asymmetric_flips_class_pairs():
    x, y = _data()
    noisy = AsymmetricNoise(AsymmetricParams(rate=0.3, shift=2)).perturb(x, y, _ctx())
    changed = noisy != y
    assert int(changed.sum()) == round(0.3 * len(y))
    assert torch.equal(noisy[changed], (y[changed] + 2) % 5)
    with pytest.raises(DataError, match="multiple of the 5 classes"):
        AsymmetricNoise(AsymmetricParams(rate=0.3, shift=5)).perturb(x, y, _ctx())


def test_instance_noise_rate_and_input_dependence():
    x, y = _data(4000)
    noisy = InstanceNoise(InstanceParams(rate=0.4)).perturb(x, y, _ctx())
    assert abs(float((noisy != y).float().mean()) - 0.4) < 0.03
    # the wrong class depends on the input: for one true class, the flips are far from uniform
    flips = noisy[(y == 0) & (noisy != y)]
    counts = torch.bincount(flips, minlength=5)[1:].float()
    sym = SymmetricNoise(SymmetricParams(rate=0.4)).perturb(x, y, _ctx())
    sym_counts = torch.bincount(sym[(y == 0) & (sym != y)], minlength=5)[1:].float()
    assert counts.std() / counts.mean() > 2 * sym_counts.std() / sym_counts.mean()


def test_bad_labels_are_refused():
    x, y = _data(10)
    with pytest.raises(DataError, match="labels span"):
        SymmetricNoise(SymmetricParams()).perturb(x, y + 5, _ctx())
    with pytest.raises(DataError, match="1-D integer label"):
        SymmetricNoise(SymmetricParams()).perturb(x, y.float(), _ctx())
    regression = PerturbContext(info=DataInfo(Task.REGRESSION, Modality.VECTOR, (6,),
                                              output_dim=1), seed=0,
                                generator=make_generator(0, "r"))
    with pytest.raises(DataError, match="classification data set"):
        SymmetricNoise(SymmetricParams()).perturb(x, y, regression)


def test_registered_with_rate_as_strength():
    import robustkit_label_noise.plugin as plugin

    from robustkit import Kind, Target
    from robustkit.plugins import PluginHost

    reg = PluginHost(load_entry_points=False, extra=[plugin]).registry
    for name in ("symmetric-label-noise", "asymmetric-label-noise", "instance-label-noise"):
        spec = reg.get(Kind.PERTURBATION, name)
        assert spec.strength == "rate" and spec.targets == (Target.TRAIN_LABELS,)
    for name in ("awl-loss", "gce-loss", "sce-loss"):
        assert reg.get(Kind.DEFENSE, name).form.value == "training"
