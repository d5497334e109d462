import pytest
import torch
from robustkit_vision_models.nets import MLPBuilder, SmallCNNBuilder, SmallResNetBuilder
from robustkit_vision_models.params import MLPParams, SmallCNNParams, SmallResNetParams

from robustkit import DataInfo, Modality, Task, TrainingConfig
from robustkit.trainer import Trainer

DIGITS = DataInfo(Task.CLASSIFICATION, Modality.IMAGE, (1, 8, 8), (0.0, 1.0), 10)
CIFAR = DataInfo(Task.CLASSIFICATION, Modality.IMAGE, (3, 32, 32), (0.0, 1.0), 10)

BUILDERS = [MLPBuilder(MLPParams()), SmallCNNBuilder(SmallCNNParams()),
            SmallResNetBuilder(SmallResNetParams())]


@pytest.mark.parametrize("builder", BUILDERS, ids=lambda b: type(b).__name__)
@pytest.mark.parametrize("info", [DIGITS, CIFAR], ids=["8x8", "32x32"])
def test_output_width_follows_datainfo(builder, info):
    model = builder.build(info)
    assert model(torch.rand(5, *info.input_shape)).shape == (5, 10)


def test_small_cnn_refuses_images_too_small_to_pool_twice():
    tiny = DataInfo(Task.CLASSIFICATION, Modality.IMAGE, (1, 2, 2), (0.0, 1.0), 3)
    with pytest.raises(ValueError, match="at least 4x4"):
        SmallCNNBuilder(SmallCNNParams()).build(tiny)


def _quadrant_task(n: int, seed: int):
    """Label = which quadrant of an 8x8 image holds a bright square."""
    gen = torch.Generator().manual_seed(seed)
    y = torch.randint(0, 4, (n,), generator=gen)
    x = torch.rand(n, 1, 8, 8, generator=gen) * 0.3
    for i, q in enumerate(y.tolist()):
        r, c = divmod(q, 2)
        x[i, 0, r * 4 : r * 4 + 4, c * 4 : c * 4 + 4] += 0.6
    return x.clamp(0, 1), y


@pytest.mark.slow
@pytest.mark.parametrize("builder", BUILDERS, ids=lambda b: type(b).__name__)
def test_each_model_learns_a_spatial_task(builder):
    info = DataInfo(Task.CLASSIFICATION, Modality.IMAGE, (1, 8, 8), (0.0, 1.0), 4)
    torch.manual_seed(0)
    model = builder.build(info)
    x, y = _quadrant_task(400, 0)
    xt, yt = _quadrant_task(200, 1)
    Trainer(TrainingConfig(epochs=8, lr=3e-3), Task.CLASSIFICATION, seed=0).fit(model, x, y)
    with torch.no_grad():
        acc = (model(xt).argmax(1) == yt).float().mean()
    assert acc > 0.95
