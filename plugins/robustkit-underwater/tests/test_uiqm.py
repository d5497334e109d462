"""UIQM (Panetta et al. 2016) against values computed by hand and by a plain loop version
written independently here, and entropy against its definition."""

import math

import numpy as np
import pytest
import torch
from robustkit_underwater import uiqm as m
from robustkit_underwater.water import degrade
from scipy.ndimage import sobel
from uw_helpers import smooth_images


def test_constants_are_panettas():
    assert (m.C1, m.C2, m.C3) == (0.0282, 0.2953, 3.5753)


def test_trimmed_mean_drops_the_alpha_tails():
    # K = 10: ceil(1) lowest and floor(1) highest dropped -> mean of 2..9
    assert m.trimmed_mean(np.arange(1, 11, dtype=float)) == pytest.approx(5.5)
    # K = 11: ceil(1.1) = 2 lowest, floor(1.1) = 1 highest dropped
    assert m.trimmed_mean(np.array([-100, -50] + [1.0] * 8 + [1000])) == pytest.approx(1.0)


def test_uicm_of_grey_is_zero_and_of_red_green_halves_by_hand():
    assert m.uicm(np.full((8, 8, 3), 0.4)) == pytest.approx(0.0, abs=1e-12)
    img = np.zeros((8, 8, 3))
    img[:, :4, 0] = 1.0  # red half
    img[:, 4:, 1] = 1.0  # green half
    # RG is -255 on 32 pixels and +255 on 32. K = 64: the ceil(6.4) = 7 lowest and the
    # floor(6.4) = 6 highest are dropped, leaving 25 x -255 and 26 x +255: mean 255 / 51 = 5.
    # The variance about 5 over all pixels is 255^2 + 5^2. YB = 127.5 everywhere.
    expected = -0.0268 * math.hypot(5.0, 127.5) + 0.1586 * math.sqrt(255.0**2 + 25.0)
    assert m.uicm(img) == pytest.approx(expected, rel=1e-9)


def test_uiconm_by_hand():
    # 16 x 16 grey image, 8 x 8 blocks: one block spans 50..150 (Michelson ratio 0.5),
    # the other three are flat (undefined ratio, adding nothing)
    img = np.full((16, 16, 3), 100 / 255)
    img[0, 0] = 50 / 255
    img[0, 1] = 150 / 255
    expected = -1 / 4 * (0.5 * math.log(0.5))
    assert m.uiconm(img, block=8) == pytest.approx(expected, rel=1e-9)


def test_eme_by_hand():
    ch = np.ones((8, 16))
    ch[0, 0] = math.e  # block 1: log(e / 1) = 1; block 2: log(1) = 0
    assert m.eme(ch, 8) == pytest.approx(2 / 2 * 1.0)


def _loop_uiqm(img, block):
    """A deliberately plain re-implementation, block by block, for cross-checking."""
    rgb = img * 255.0
    r, g, b = rgb[..., 0].ravel(), rgb[..., 1].ravel(), rgb[..., 2].ravel()
    rg, yb = r - g, (r + g) / 2 - b

    def amean(v):
        v = sorted(v)
        k = len(v)
        lo, hi = math.ceil(0.1 * k), math.floor(0.1 * k)
        kept = v[lo:k - hi]
        return sum(kept) / len(kept)

    mrg, myb = amean(rg), amean(yb)
    vrg = sum((p - mrg) ** 2 for p in rg) / len(rg)
    vyb = sum((p - myb) ** 2 for p in yb) / len(yb)
    uicm = -0.0268 * math.sqrt(mrg**2 + myb**2) + 0.1586 * math.sqrt(vrg + vyb)
    k1, k2 = img.shape[0] // block, img.shape[1] // block

    def blocks(a):
        for i in range(k1):
            for j in range(k2):
                yield a[i * block:(i + 1) * block, j * block:(j + 1) * block]

    uism = 0.0
    for c, lam in enumerate((0.299, 0.587, 0.114)):
        ch = rgb[..., c]
        edge = np.sqrt(sobel(ch, 0) ** 2 + sobel(ch, 1) ** 2) * ch
        total = 0.0
        for blk in blocks(edge):
            if blk.min() > 0:
                total += math.log(blk.max() / blk.min())
        uism += lam * 2.0 / (k1 * k2) * total
    inten = 0.299 * rgb[..., 0] + 0.587 * rgb[..., 1] + 0.114 * rgb[..., 2]
    total = 0.0
    for blk in blocks(inten):
        top, bot = blk.max() - blk.min(), blk.max() + blk.min()
        if top > 0 and bot > 0:
            total += (top / bot) * math.log(top / bot)
    uiconm = -total / (k1 * k2)
    return 0.0282 * uicm + 0.2953 * uism + 3.5753 * uiconm


@pytest.mark.parametrize("seed", [0, 1])
def test_uiqm_equals_the_plain_loop_version(seed):
    img = smooth_images(1, 24, seed=seed)[0].permute(1, 2, 0).double().numpy()
    img = np.clip(img + 0.05 * np.random.default_rng(seed).standard_normal(img.shape), 0, 1)
    assert m.uiqm(img, block=8) == pytest.approx(_loop_uiqm(img, 8), rel=1e-9)


def test_uiqm_and_entropy_fall_in_murky_water():
    x = smooth_images(8, 32, seed=4)
    murky = degrade(x, severity=5.0, water="5C", generator=torch.Generator().manual_seed(0))
    score = lambda t, f: np.mean([f(im) for im in t.permute(0, 2, 3, 1).numpy()])  # noqa: E731
    assert score(murky, m.uiqm) < score(x, m.uiqm)
    assert score(murky, m.entropy) < score(x, m.entropy)


def test_entropy_by_definition():
    flat = np.full((8, 8, 3), 0.5)
    assert m.entropy(flat) == pytest.approx(0.0)
    half = np.zeros((8, 8, 3))
    half[:4] = 1.0  # two grey levels, equally frequent: 1 bit
    assert m.entropy(half) == pytest.approx(1.0)


def test_image_smaller_than_a_block_is_a_clear_error():
    with pytest.raises(ValueError, match="lower the metric's block size"):
        m.uiqm(np.zeros((4, 4, 3)), block=8)
