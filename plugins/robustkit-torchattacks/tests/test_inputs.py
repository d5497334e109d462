"""The catalog's input requirements are true: each attack, run briefly at its defaults on a
vector batch and on a 1-channel image batch, fails exactly where the catalog says it cannot
run (so the validation check refuses what would fail, and only that)."""

import pytest
import torch
from robustkit_torchattacks.params import entries

from robustkit import DataInfo
from robustkit.components import Modality, Task
from robustkit.data import PerturbContext, ScoreOracle, make_generator
from robustkit.plugins import get_registry

pytest.importorskip("torchattacks")

SHORT = dict(steps=2, n_queries=20, max_iterations=10, restarts=2, nb_iter=1, nb_sample=8,
             num_iter_set=2, popsize=4)
SHAPES = {"vector": (8,), "image": (1, 8, 8)}


def _runs(name, modality):
    spec = get_registry().get("perturbation", name)
    shape = SHAPES[modality]
    torch.manual_seed(0)
    net = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(int(torch.tensor(shape).prod()),
                                                                  10)).eval()
    model = net if spec.needs.value == "gradients" else ScoreOracle(net, num_classes=10)
    info = DataInfo(task=Task.CLASSIFICATION, modality=Modality(modality), input_shape=shape,
                    bounds=(0.0, 1.0), num_classes=10)
    ctx = PerturbContext(info=info, seed=0, generator=make_generator(0), model=model)
    params = {k: v for k, v in SHORT.items() if k in spec.params.model_fields}
    x = torch.rand(4, *shape)
    try:
        out = spec.build(params).perturb(x, torch.arange(4), ctx)
    except Exception:
        return False
    return out.shape == x.shape


@pytest.mark.parametrize("modality", ["vector", "image"])
def test_input_requirements_match_behaviour(modality):
    failing = {n for n in entries() if not _runs(n, modality)}
    expected = {n for n, e in entries().items()
                if e["inputs"] == "rgb-images"
                or (modality == "vector" and e["inputs"] == "images")}
    assert failing == expected
