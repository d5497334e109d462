"""The kernel's named-attack service: a training defense runs an attack it names, with its
budget, on the pipeline's registry, without importing the attack's plugin."""

import pytest
import torch

from robustkit.components import DataInfo, Modality, Task
from robustkit.data import DefenseContext
from robustkit.errors import ParamsError
from robustkit.named_attack import NamedAttack

INFO = DataInfo(Task.CLASSIFICATION, Modality.VECTOR, (4,), (0.0, 1.0), 2)


def _ctx(host):
    return DefenseContext(info=INFO, seed=3, registry=host.registry)


def test_the_attack_gets_the_budget_and_the_model_in_eval_mode(toy_host):
    model = torch.nn.Sequential(torch.nn.Linear(4, 2), torch.nn.Dropout(0.5))
    model.train()
    seen = []
    model.register_forward_pre_hook(lambda m, a: seen.append(m.training))
    x, y = torch.rand(8, 4) * 0.5 + 0.25, torch.randint(0, 2, (8,))
    x_adv = NamedAttack(_ctx(toy_host), "grad-sign", eps=0.2, owner="defense 'toy'")(model, x, y)
    assert x_adv.shape == x.shape and not x_adv.requires_grad
    assert torch.allclose((x_adv - x).abs(), torch.full_like(x, 0.2), atol=1e-6)
    assert seen == [False] and model.training  # attacked in eval mode, then restored


def test_unknown_and_non_gradient_attacks_are_refused_naming_the_owner(toy_host):
    with pytest.raises(ParamsError, match="defense 'toy': attack 'nope'.*grad-sign"):
        NamedAttack(_ctx(toy_host), "nope", eps=0.1, owner="defense 'toy'")
    with pytest.raises(ParamsError, match="needs nothing"):
        NamedAttack(_ctx(toy_host), "shift", eps=0.1, owner="defense 'toy'")
    with pytest.raises(ParamsError, match="attack_params for 'grad-sign'"):
        NamedAttack(_ctx(toy_host), "grad-sign", eps=0.1, params={"radius": 1},
                    params_field="attack_params")
