"""The dual-branch enhancer: structure, start as identity, learning from pairs."""

import pytest
import torch
from robustkit_underwater.enhancer import ECA, DenseBlock, DualBranchEnhancer, EnhancerBuilder
from robustkit_underwater.params import EnhancerParams
from robustkit_underwater.quality import psnr
from robustkit_underwater.water import degrade
from uw_helpers import smooth_images

from robustkit import DataInfo, Modality, Task, TrainingConfig
from robustkit.errors import DataError
from robustkit.trainer import Trainer


def test_dense_block_concatenates_every_layer():
    block = DenseBlock(3, growth=5, layers=3)
    out = block(torch.rand(2, 3, 8, 8))
    assert out.shape == (2, 3 + 15, 8, 8) == (2, block.out_channels, 8, 8)
    assert block.layers[2].in_channels == 3 + 2 * 5  # the third layer sees input + two


def test_eca_reweights_channels_only():
    eca = ECA(3)
    x = torch.rand(2, 6, 5, 5)
    w = eca(x) / x  # the same weight for every pixel of a channel, in (0, 1)
    assert torch.allclose(w, w[:, :, :1, :1].expand_as(w), atol=1e-5)
    assert (w > 0).all() and (w < 1).all()
    assert sum(p.numel() for p in eca.parameters()) == 3  # ECA: k weights, no bottleneck


def test_network_starts_as_the_identity_and_keeps_shapes():
    torch.manual_seed(0)
    net = DualBranchEnhancer(EnhancerParams())
    x = smooth_images(3, 24)
    assert torch.allclose(net(x), x.clamp(min=1 / 255), atol=1e-6)


@pytest.mark.slow
def test_training_on_pairs_beats_the_degraded_input():
    torch.manual_seed(0)
    clean = smooth_images(64, 16, seed=5)
    gen = torch.Generator().manual_seed(0)
    sev = 1 + 3 * torch.rand(64, generator=gen)
    murky = degrade(clean, severity=sev, water="II", generator=gen)
    net = DualBranchEnhancer(EnhancerParams(growth=6, layers=2))
    trainer = Trainer(TrainingConfig(epochs=25, lr=0.01, batch_size=16), Task.IMAGE_TO_IMAGE,
                      seed=0)
    net = trainer.fit(net, murky[:48], clean[:48])  # uses the net's L1 + SSIM loss
    assert trainer.history[-1] < 0.6 * trainer.history[0]
    with torch.no_grad():
        gain = psnr(net(murky[48:]), clean[48:]).mean() - psnr(murky[48:], clean[48:]).mean()
    assert gain > 2.0  # dB on held-out pairs


def test_builder_takes_colour_or_grey_and_refuses_other_channel_counts():
    grey = DataInfo(Task.IMAGE_TO_IMAGE, Modality.IMAGE, (1, 8, 8), output_dim=1)
    net = EnhancerBuilder(EnhancerParams()).build(grey)
    assert net(torch.rand(2, 1, 8, 8)).shape == (2, 1, 8, 8)
    info = DataInfo(Task.IMAGE_TO_IMAGE, Modality.IMAGE, (2, 8, 8), output_dim=2)
    with pytest.raises(DataError, match="3 x H x W"):
        EnhancerBuilder(EnhancerParams()).build(info)


def test_even_eca_kernel_is_refused():
    with pytest.raises(ValueError, match="odd"):
        EnhancerParams(eca_kernel=4)
