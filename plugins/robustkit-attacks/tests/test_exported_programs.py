"""A torch.export program cannot switch train/eval ("Calling train() is not supported"); the
attacks run on it as it was exported and give the module's own adversarial examples."""

from __future__ import annotations

import pytest
import torch
from robustkit_attacks import FGSM, PGD


@pytest.mark.parametrize("attack", [
    FGSM(eps=0.1), PGD(eps=0.1, steps=5, random_start=False, exact=True)])
def test_attacks_run_on_an_exported_program(cnn, image_data, attack):
    _, _, x, y = image_data
    x, y = x[:32], y[:32]
    program = torch.export.export(cnn, (x[:2],), dynamic_shapes=({0: torch.export.Dim("b")},))
    exported = program.module()
    with pytest.raises(NotImplementedError):
        exported.eval()  # the limitation this plugin must live with
    x_adv = attack(exported, x, y)
    assert torch.equal(x_adv, attack(cnn, x, y))  # same function, same attack
    assert float((x_adv - x).abs().max()) <= 0.1 + 1e-6
