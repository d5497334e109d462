import pytest
import torch
from robustkit_noise.noise import GaussianNoise, SaltPepper, UniformNoise
from robustkit_noise.params import GaussianParams, SaltPepperParams, UniformParams

from robustkit import DataInfo, Modality, Task
from robustkit.data import PerturbContext, make_generator

CLASSES = [(GaussianNoise, GaussianParams), (UniformNoise, UniformParams),
           (SaltPepper, SaltPepperParams)]


def ctx(seed=0, bounds=(0.0, 1.0)):
    info = DataInfo(Task.CLASSIFICATION, Modality.IMAGE, (1, 8, 8), bounds, 10)
    return PerturbContext(info=info, seed=seed, generator=make_generator(seed, "t"))


X = torch.rand(64, 1, 8, 8, generator=torch.Generator().manual_seed(0))
Y = torch.zeros(64, dtype=torch.long)


@pytest.mark.parametrize("cls, params", CLASSES, ids=lambda c: getattr(c, "__name__", ""))
def test_stays_in_bounds_and_grows_with_severity(cls, params):
    changes = []
    for severity in range(1, 6):
        out = cls(params(severity=severity)).perturb(X, Y, ctx())
        assert out.shape == X.shape and out.min() >= 0 and out.max() <= 1
        changes.append(float((out - X).abs().mean()))
    assert changes == sorted(changes) and changes[0] > 0


@pytest.mark.parametrize("cls, params", CLASSES, ids=lambda c: getattr(c, "__name__", ""))
def test_seeded(cls, params):
    a = cls(params()).perturb(X, Y, ctx(1))
    b = cls(params()).perturb(X, Y, ctx(1))
    c = cls(params()).perturb(X, Y, ctx(2))
    assert torch.equal(a, b) and not torch.equal(a, c)


def test_noise_scales_with_the_data_range():
    wide = ctx(bounds=(-1.0, 1.0))
    x = torch.zeros(4000)
    out = GaussianNoise(GaussianParams(sigma=0.1)).perturb(x, None, wide)
    assert float(out.std()) == pytest.approx(0.2, rel=0.05)


def test_salt_and_pepper_hits_the_requested_share_with_bound_values():
    x = torch.full((100_000,), 0.5)
    out = SaltPepper(SaltPepperParams(fraction=0.2)).perturb(x, None, ctx())
    hit = out != 0.5
    assert float(hit.float().mean()) == pytest.approx(0.2, abs=0.01)
    assert set(out[hit].unique().tolist()) == {0.0, 1.0}
