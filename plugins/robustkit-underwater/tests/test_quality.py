"""PSNR and SSIM against scikit-image's reference implementations."""

import numpy as np
import pytest
import torch
from robustkit_underwater.quality import psnr, ssim
from skimage.metrics import peak_signal_noise_ratio, structural_similarity
from uw_helpers import smooth_images


@pytest.mark.parametrize("size", [48, 16, 11])
def test_ssim_equals_skimage_gaussian_ssim(size):
    a = smooth_images(3, size, seed=1).double()
    b = (a + 0.1 * torch.randn(a.shape, generator=torch.Generator().manual_seed(2),
                               dtype=torch.float64)).clamp(0, 1)
    ours = ssim(a, b, reduce=False)
    for i in range(3):
        ref = structural_similarity(a[i].numpy(), b[i].numpy(), data_range=1.0,
                                    channel_axis=0, gaussian_weights=True, sigma=1.5,
                                    use_sample_covariance=False)
        assert float(ours[i]) == pytest.approx(ref, abs=1e-6)


def test_ssim_is_one_for_identical_images_and_lower_for_noisy_ones():
    a = smooth_images(2)
    assert float(ssim(a, a)) == pytest.approx(1.0, abs=1e-6)
    noisy = a + 0.2 * torch.randn(a.shape, generator=torch.Generator().manual_seed(0))
    assert float(ssim(a, noisy.clamp(0, 1))) < 0.8


def test_psnr_equals_skimage():
    a = smooth_images(2, seed=3)
    b = (a * 0.8 + 0.1).clamp(0, 1)
    ours = psnr(a, b)
    for i in range(2):
        ref = peak_signal_noise_ratio(a[i].numpy(), b[i].numpy(), data_range=1.0)
        assert float(ours[i]) == pytest.approx(ref, rel=1e-5)


def test_psnr_hand_value():
    # every pixel off by 0.1: MSE 0.01, PSNR = 10 log10(1 / 0.01) = 20 dB
    a = torch.zeros(1, 3, 4, 4)
    assert float(psnr(a, a + 0.1)[0]) == pytest.approx(20.0, abs=1e-4)
    assert np.isinf(float(psnr(a, a)[0]))
