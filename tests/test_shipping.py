"""What a sweep sends to its workers: in-process cells use the caller's own host; objects and
Python-registered plugins are pickled once and rebuilt under the parent's names."""

from __future__ import annotations

import pickle

import torch

from robustkit import shipping
from robustkit.components import Kind
from robustkit.objects import adopt, lookup
from robustkit.plugins import PluginHost
from robustkit.shipping import worker_extras, worker_host
from robustkit.sweep import Sweep, run_sweep


def test_in_process_cells_use_the_callers_host(toy_host, tmp_path):
    sweep = Sweep(datasets=["toy"], models=["linear"], perturbations=["shift"],
                  metrics=["acc"], training={"epochs": 2}, integrity=False)
    outcome = run_sweep(sweep, host=toy_host, store=tmp_path / "r.db")
    assert outcome.failed == [] and outcome.ran == 2  # 'toy' exists only on toy_host


def test_objects_travel_under_their_names(toy_host, monkeypatch):
    net = torch.nn.Linear(3, 2)
    name = adopt(net)
    config = {"dataset": {"name": "toy"}, "model": {"name": name}}
    extras = worker_extras(toy_host, [config], "process-pool")
    assert name in extras["sent"] and "toy_plugin" in extras["sent"]
    payload = pickle.loads(pickle.dumps(extras))  # what a worker receives
    from robustkit import objects

    objects._TABLE.pop(name)  # as in a fresh worker, with a host of its own
    fresh = PluginHost(load_entry_points=False)
    monkeypatch.setattr(shipping, "get_host", lambda: fresh)
    assert worker_host(payload) is fresh
    assert "toy_plugin" in fresh.registry.plugins  # the plugin, rebuilt in the worker
    assert lookup(Kind.MODEL, name).name == name
