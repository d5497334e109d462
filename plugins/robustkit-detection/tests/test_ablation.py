"""Ablation: each detector module (EIE, CPCA, CARAFE) is on the forward path, so dropping it
changes what the detector computes.

Why structural and not accuracy tests: a detector training per variant takes minutes, and on
the tests' tiny set-up (192 images of 32 x 32, 12 epochs) the variants' mAP@0.5 differs by
more between seeds than between modules (one seed measured during development: baseline
0.32 clean / 0.18 noisy, +EIE 0.43 / 0.23, +CPCA 0.29 / 0.06, +CARAFE 0.46 / 0.09). The
accuracy effects are the 4-seed benchmark's (benchmarks/detection_ablation.py, JSON in
benchmarks/results/detection/, summary checked against docs/plugins/detection.md by
tests/test_docs_tables.py).
"""

from __future__ import annotations

import pytest
import torch
from robustkit_detection import modules
from torch import nn


def _outputs(model, x):
    with torch.no_grad():
        return model.eval()(x)


@pytest.mark.parametrize("module", ["eie", "cpca", "carafe"])
def test_dropping_a_module_changes_the_detector(data, build, module):
    """The output's change when the module is dropped, relative to how much the output varies
    over images and positions. Measured on fresh detectors (seeds 0-2): EIE 0.35, 0.57, 0.29;
    CPCA 2.08, 1.00, 1.68; CARAFE 2.05, 1.18, 1.35 (a module skipped in ``forward`` gives 0)."""
    x = data.x_test[:8]
    model = build(data.info)
    full = _outputs(model, x)
    with pytest.MonkeyPatch.context() as mp:
        if module == "eie":  # the fused edge features are skipped
            mp.setattr(modules.EdgeEnhancement, "forward", lambda self, image, feats: feats)
        elif module == "cpca":  # the attention residual adds nothing
            mp.setattr(modules.CPCA, "forward", lambda self, t: torch.zeros_like(t))
        else:  # content-aware reassembly replaced by the baseline's nearest upsampling
            mp.setattr(model, "up", nn.Upsample(scale_factor=2, mode="nearest"))
        ablated = _outputs(model, x)
    spread = (full - full.mean(dim=(0, 2, 3), keepdim=True)).abs().max()
    change = (full - ablated).abs().max() / spread
    assert change > 0.1, f"{module}: the output did not depend on it ({float(change):.2e})"


def test_the_edge_branch_responds_to_image_edges_not_only_to_features(data, build):
    """EIE reads the image itself (its Sobel branch): two images with identical backbone
    features cannot be told apart without it, so edges added to the image must move the
    output even when the features are held fixed."""
    model = build(data.info)
    eie = model.eie
    x = data.x_test[:2]
    with torch.no_grad():
        feats = model.stage2(model.stage1(x))
        edged = x.clone()
        edged[..., ::4] = 1.0  # vertical lines: strong Sobel responses
        assert (eie(edged, feats) - eie(x, feats)).abs().max() > 1e-3
