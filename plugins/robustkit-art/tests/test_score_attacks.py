"""ART's score attacks see the model's scores once, in the form the attack reads.

The kernel's ScoreOracle answers with softmax probabilities; the adapter used to apply a
second softmax, which flattened a top probability of 0.76 to 0.19 on ten classes and left
``art-zoo`` fooling a few percent of the digits ART itself fools. These tests hold the adapter
against ART used directly on the same model and samples.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from robustkit_art.adapter import seeded
from robustkit_art.estimators import as_log_probabilities, as_probabilities, score_estimator

from robustkit.components import DataInfo, Modality, Task
from robustkit.data import PerturbContext, ScoreOracle, make_generator
from robustkit.plugins import get_registry

# ART's ZOO example settings (examples/ of the ART repository, MNIST)
ZOO = dict(confidence=0.0, learning_rate=0.1, max_iter=20, binary_search_steps=10,
           initial_const=1e-3, abort_early=True, use_resize=False, use_importance=False,
           nb_parallel=10, batch_size=1, variable_h=0.2)
SAMPLES = 20


def _probs(model):
    return lambda t: torch.softmax(model(t), dim=-1)


def test_probabilities_reach_art_once():
    logits = torch.tensor([[2.0, 0.9, 0.1, 0.0, -1.0, 0.3, -0.2, 0.0, 0.5, -0.5]])
    p = torch.softmax(logits, dim=-1)
    assert torch.allclose(as_probabilities(p), p.double())  # no second softmax
    assert torch.allclose(as_probabilities(logits), p.double())  # logits get one
    # log-probabilities: margins equal the logit margins, from either form
    for scores in (p, logits):
        lp = as_log_probabilities(scores)
        margin = float(logits[0, 0] - logits[0, 1])
        assert float(lp[0, 0] - lp[0, 1]) == pytest.approx(margin, abs=1e-5)
    est = score_estimator(_probs(lambda t: logits.expand(t.shape[0], -1)), "classification",
                          (4,), (0.0, 1.0), 10)
    top = est.predict(np.zeros((1, 4), dtype=np.float32))[0].max()
    assert abs(top - float(p.max())) < 1e-6


def test_saturated_softmax_keeps_its_margin_as_log_probabilities():
    logits = torch.tensor([[0.0, -300.0, -310.0]])  # float32 softmax: [1, 0, 0]
    p64 = torch.softmax(logits.double(), dim=-1)
    lp = as_log_probabilities(p64)
    assert torch.isfinite(lp).all()
    assert float(lp[0, 1] - lp[0, 2]) == pytest.approx(10.0, abs=1e-6)


def _digits_cnn():
    """A small CNN on the 8x8 digits (1 x 8 x 8), seeded, trained for a second or two."""
    from sklearn.datasets import load_digits

    torch.manual_seed(0)
    d = load_digits()
    x = torch.tensor(d.data / 16.0, dtype=torch.float32).view(-1, 1, 8, 8)
    y = torch.tensor(d.target)
    model = torch.nn.Sequential(torch.nn.Conv2d(1, 16, 3, padding=1), torch.nn.ReLU(),
                                torch.nn.Flatten(), torch.nn.Linear(16 * 64, 10))
    opt = torch.optim.Adam(model.parameters(), lr=0.01)
    for _ in range(100):
        opt.zero_grad()
        torch.nn.functional.cross_entropy(model(x[:1500]), y[:1500]).backward()
        opt.step()
    model.eval()
    x_test, y_test = x[1500:], y[1500:]
    with torch.no_grad():
        right = model(x_test).argmax(1) == y_test
    return model, x_test[right][:SAMPLES], y_test[right][:SAMPLES]


def _fooled(model, x_adv, y):
    with torch.no_grad():
        return float((model(torch.as_tensor(x_adv)).argmax(1) != y).float().mean())


@pytest.mark.slow  # ~30 s: ZOO's coordinate-wise queries, twice
def test_art_zoo_through_robustkit_matches_art_used_directly():
    from art.attacks.evasion import ZooAttack
    from art.estimators.classification import PyTorchClassifier

    model, x, y = _digits_cnn()
    direct = PyTorchClassifier(model=model, loss=torch.nn.CrossEntropyLoss(), input_shape=(1, 8, 8),
                               nb_classes=10, clip_values=(0.0, 1.0))
    with seeded(0):
        x_direct = ZooAttack(direct, verbose=False, **ZOO).generate(x=x.numpy(), y=y.numpy())
    oracle = ScoreOracle(_probs(model), num_classes=10)
    spec = get_registry().get("perturbation", "art-zoo")
    info = DataInfo(Task.CLASSIFICATION, Modality.IMAGE, (1, 8, 8), (0.0, 1.0), num_classes=10)
    ctx = PerturbContext(info=info, seed=0, generator=make_generator(0, "t"), model=oracle)
    x_ours = spec.build(ZOO).perturb(x, y, ctx)
    ours, theirs = _fooled(model, x_ours, y), _fooled(model, x_direct, y)
    # measured (benchmarks/integrity_measurements.py --only art-zoo): ART directly fools 12
    # of 20, robustkit's art-zoo 12 (with the old double softmax: 9); one sample of slack
    assert theirs >= 0.5  # the reference attack works on this model
    assert abs(ours - theirs) <= 1 / SAMPLES + 1e-9, (ours, theirs)
    queries = ctx.stats["queries"]
    assert queries.shape == (SAMPLES,) and bool((queries > 0).all())
    assert int(queries.sum()) == oracle.total_queries
