"""The pipeline's stages over one run context: observers see every evaluation, no stage reads
the raw config after planning, the seeds' streams are distinct, and the end hook can render
the run's report."""

from __future__ import annotations

import pytest

from robustkit import Task, hookimpl
from robustkit.plan import resolve
from robustkit.seeds import Seeds
from robustkit.stages import RunContext, RunWriter, run_plan
from robustkit.stages.check import IntegrityChecks, observers
from robustkit.stages.data import load_data
from robustkit.stages.evaluate import evaluate
from robustkit.stages.runner import kernel_version
from robustkit.stages.train import train
from robustkit.store import Store


class Recorder:
    def __init__(self):
        self.events = []

    def started(self, ctx, model, x, y, data):
        self.events.append(("started", int(x.shape[0])))

    def evaluated(self, ctx, done):
        label = "clean" if done.setting is None else done.setting.label
        # the rows of an evaluation are stored before its observers hear of it
        stored = [r.label for r in ctx.writer.rows]
        self.events.append(("evaluated", label, label in stored))

    def finished(self, ctx):
        self.events.append(("finished",))


def test_an_observer_hears_of_every_evaluation_in_order(toy_host, toy_config):
    cfg = toy_config.replace(perturbations=[{"name": "shift", "amount": [0.1, 0.5]}],
                             eval_samples=40)
    plan = resolve(cfg, toy_host.registry)
    with Store(cfg.store) as db:
        ctx = RunContext(plan, toy_host, RunWriter(db), lambda event, info: None)
        ctx.writer.start(plan, ctx.options, kernel_version())
        data = load_data(ctx)
        model = train(ctx, data).model
        recorder = Recorder()
        ctx.observers = [recorder]
        evaluate(ctx, model, data)
        stored = [(r.label, r.metric, r.value) for r in db.metrics(ctx.run_id)]
    assert recorder.events == [
        ("started", 40),
        ("evaluated", "clean", True),
        ("evaluated", "shift[amount=0.1]", True),
        ("evaluated", "shift[amount=0.5]", True),
        ("finished",),
    ]
    assert stored == [(r.label, r.metric, r.value) for r in ctx.writer.rows]


class Tripwire:
    """Stands in for the raw config after planning: any read fails the test."""

    def __getattr__(self, name):
        raise AssertionError(f"a stage read config.{name} after planning")


@pytest.mark.parametrize("changes", [
    # data, training perturbation, input transform, evaluation
    {"defenses": ["rounding"], "train_perturbations": ["flip-labels"], "eval_samples": 50},
    # a gradient attack with steps: every integrity check runs
    {"perturbations": ["shift", {"name": "toy-pgd", "eps": 0.2, "steps": 3}],
     "integrity_samples": 16},
])
def test_no_stage_reads_the_raw_config_after_planning(toy_host, toy_config, changes):
    cfg = toy_config.replace(**changes)
    expected = cfg.replace(cache=False).run(host=toy_host)
    plan = resolve(cfg.replace(cache=False), toy_host.registry)
    plan.config = Tripwire()  # the plan's options carry every setting
    with Store(cfg.store) as db:
        result = run_plan(plan, toy_host, db, lambda event, info: None)
    assert [(r.label, r.metric, r.value) for r in result.rows] == [
        (r.label, r.metric, r.value) for r in expected.rows]
    assert result.config == cfg.replace(cache=False).to_dict()


def test_the_integrity_checks_observe_only_classification_runs_that_ask(toy_host, toy_config):
    def ctx_for(**changes):
        plan = resolve(toy_config.replace(**changes), toy_host.registry)
        return RunContext(plan, toy_host, RunWriter(None), lambda e, i: None)  # type: ignore

    assert [type(o) for o in observers(ctx_for(), Task.CLASSIFICATION)] == [IntegrityChecks]
    assert observers(ctx_for(integrity=False), Task.CLASSIFICATION) == []
    assert observers(ctx_for(), Task.REGRESSION) == []


def test_every_seed_stream_is_distinct_and_follows_the_root():
    a, b = Seeds(0), Seeds(1)
    streams = [a.init, a.train_perturbation("x"), a.defense("x"), a.perturbation("x"),
               a.integrity_noise("x"), a.integrity_steps("x"), a.integrity_steps_context]
    assert len(set(streams)) == len(streams)
    assert a.perturbation("x") != a.perturbation("y")
    assert a.perturbation("x") != b.perturbation("x") and a.init != b.init
    assert (a.data, a.trainer, a.context) == (0, 0, 0)
    g1, g2 = Seeds.generator(a.init), Seeds.generator(a.init)
    import torch

    assert torch.equal(torch.rand(3, generator=g1), torch.rand(3, generator=g2))


def test_the_end_hook_renders_this_runs_report_and_old_impls_still_run(toy_host, toy_config):
    seen = {}

    class Exporter:
        @hookimpl
        def robustkit_pipeline_end(self, run_id, result, report):
            rep = report()
            seen["markdown"] = rep.markdown()
            seen["runs"] = {r.run_id for r in rep.records}

    class OldExporter:
        @hookimpl
        def robustkit_pipeline_end(self, run_id, result):
            seen["old"] = run_id

    toy_config.run(host=toy_host)  # an earlier run the report must leave out
    toy_host.add_plugin(Exporter(), "exporter")
    toy_host.add_plugin(OldExporter(), "old-exporter")
    result = toy_config.run(host=toy_host)
    assert seen["old"] == result.run_id
    assert seen["runs"] == {result.run_id}
    assert "shift" in seen["markdown"]
    assert f"{result.value('acc', 'shift'):.3f}" in seen["markdown"]


@pytest.mark.parametrize("field", ["seed", "device", "eval_batch_size", "integrity_samples"])
def test_the_plan_carries_each_setting(toy_host, toy_config, field):
    plan = resolve(toy_config, toy_host.registry)
    assert getattr(plan.options, field) == getattr(toy_config, field)
