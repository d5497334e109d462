"""The pipeline on the toy plugin: stages, determinism, cache, hooks, failures."""

import pytest
import torch

from robustkit import PluginError, hookimpl
from robustkit.plugins import PluginHost
from robustkit.store import Store


def test_runs_every_stage_and_stores_every_value(toy_host, toy_config):
    result = toy_config.run(host=toy_host)
    assert result.labels() == ["clean", "shift"]
    assert result.value("acc") > 0.9
    with Store(toy_config.store) as db:
        run = db.run(result.run_id)
        assert run["status"] == "done"
        assert run["config"]["dataset"]["name"] == "toy"
        assert "toy_plugin" in run["plugins"]
        assert set(run["timings"]) >= {"data", "train", "evaluate:clean", "evaluate:shift"}
        assert [(r.label, r.metric) for r in db.metrics(result.run_id)] == [
            ("clean", "acc"), ("shift", "acc")]


def test_same_config_and_seed_give_identical_values(toy_host, toy_config, tmp_path):
    cfg = toy_config.replace(cache=False)
    a = cfg.run(host=toy_host)
    b = cfg.run(host=toy_host)
    assert [r.value for r in a.rows] == [r.value for r in b.rows]
    assert a.run_id != b.run_id


def test_a_different_seed_trains_a_different_model(toy_host, toy_config):
    a = toy_config.replace(cache=False).run(host=toy_host)
    b = toy_config.replace(cache=False, seed=1).run(host=toy_host)
    assert a.fingerprint != b.fingerprint


def test_second_run_reuses_the_cached_model(toy_host, toy_config):
    first = toy_config.run(host=toy_host)
    second = toy_config.run(host=toy_host)
    assert not first.cached_model and second.cached_model
    assert [r.value for r in first.rows] == [r.value for r in second.rows]
    cache_files = list((toy_config.store.parent / "cache").rglob("*.pt"))
    assert len(cache_files) == 1
    # the cache is read with weights_only=True: plain tensors only
    saved = torch.load(cache_files[0], weights_only=True)
    assert all(isinstance(v, torch.Tensor) for v in saved["state"].values())


def test_training_label_noise_changes_the_model(toy_host, toy_config):
    flipped = toy_config.replace(**{"train_perturbations": [{"name": "flip-labels"}]})
    result = flipped.run(host=toy_host)
    assert result.value("acc") < 0.2  # trained on inverted labels


def test_strength_list_gives_a_curve_stored_per_value(toy_host, toy_config):
    cfg = toy_config.replace(**{"perturbations": [
        {"name": "grad-sign", "params": {"amount": [0.0, 0.3]}}]})
    result = cfg.run(host=toy_host)
    rows = [r for r in result.rows if r.perturbation == "grad-sign"]
    assert [r.strength for r in rows] == [0.0, 0.3]
    assert rows[0].value == result.value("acc")  # eps 0 is the clean accuracy
    assert rows[1].value < rows[0].value


def test_lifecycle_hooks_see_every_stage(toy_host, toy_config):
    seen = []

    class Recorder:
        @hookimpl
        def robustkit_pipeline_start(self, run_id, config):
            seen.append(("start", config.dataset.name))

        @hookimpl
        def robustkit_stage_end(self, run_id, stage, seconds, details):
            seen.append(("stage", stage))

        @hookimpl
        def robustkit_pipeline_end(self, run_id, result):
            seen.append(("end", result.value("acc") is not None))

    toy_host.add_plugin(Recorder(), "recorder")
    toy_config.run(host=toy_host)
    assert seen[0] == ("start", "toy") and seen[-1] == ("end", True)
    assert ("stage", "train") in seen and ("stage", "evaluate:shift") in seen


def test_a_failing_component_names_its_plugin_and_keeps_earlier_runs(toy_host, toy_config):
    good = toy_config.run(host=toy_host)

    class Broken:
        @hookimpl
        def robustkit_register_perturbations(self, register):
            def boom(params):
                class P:
                    def perturb(self, x, y, ctx):
                        raise RuntimeError("kaboom")
                return P()
            register.perturbation("boom", boom, needs="nothing", tasks=["classification"])

    toy_host.add_plugin(Broken(), "broken-attacks")
    cfg = toy_config.replace(**{"perturbations": [{"name": "boom"}]})
    with pytest.raises(PluginError, match="perturbation 'boom' from plugin 'broken-attacks'.*"
                                          "kaboom"):
        cfg.run(host=toy_host)
    with Store(toy_config.store) as db:
        runs = {r["id"]: r for r in db.runs()}
        assert runs[good.run_id]["status"] == "done"
        assert len(db.metrics(good.run_id)) == 2
        failed = [r for r in runs.values() if r["status"] == "failed"]
        assert len(failed) == 1 and "kaboom" in failed[0]["error"]
        # the clean evaluation finished before the failure and was kept
        assert [m.label for m in db.metrics(failed[0]["id"])] == ["clean"]


def test_perturbation_leaving_the_bounds_is_caught(toy_host, toy_config):
    class Leaky:
        @hookimpl
        def robustkit_register_perturbations(self, register):
            class P:
                def __init__(self, params):
                    pass

                def perturb(self, x, y, ctx):
                    return x + 5

            register.perturbation("leaky", P, needs="nothing", tasks=["classification"])

    toy_host.add_plugin(Leaky(), "leaky")
    cfg = toy_config.replace(perturbations=["leaky"])
    with pytest.raises(PluginError, match="left the data bounds"):
        cfg.run(host=toy_host)


def test_nan_in_data_is_a_clear_error(toy_host, toy_config):
    import toy_plugin

    from robustkit import DataError

    class NaNData(toy_plugin.ToyData):
        def load(self, seed):
            b = super().load(seed)
            b.x_train[3, 1] = float("nan")
            return b

    class P:
        @hookimpl
        def robustkit_register_datasets(self, register):
            register.dataset("nan-toy", NaNData, params=toy_plugin.ToyDataParams,
                             task="classification", modality="vector")

    host = PluginHost(load_entry_points=False, extra=[toy_plugin, P()])
    cfg = toy_config.replace(dataset="nan-toy")
    with pytest.raises(DataError, match="nan-toy.*1 train inputs contain NaN"):
        cfg.run(host=host)


def test_cache_never_drops_a_wrapper_a_training_defense_added(toy_host, toy_config):
    """A wrapper with no parameters has the bare model's state-dict keys: loading the cached
    weights into the bare model would silently drop it. The structure check prevents that."""

    class Negate(torch.nn.Module):
        def __init__(self, inner):
            super().__init__()
            self.inner = inner

        def forward(self, x):
            return -self.inner(x)

    class Wrapping:
        @hookimpl
        def robustkit_register_defenses(self, register):
            class D:
                def __init__(self, params):
                    pass

                def train(self, model, data, trainer, ctx):
                    return Negate(trainer.fit(model, data.x_train, data.y_train))

            register.training_defense("negate", D, tasks=["classification"])

    toy_host.add_plugin(Wrapping(), "wrapping")
    cfg = toy_config.replace(defenses=["negate"])
    first = cfg.run(host=toy_host)
    second = cfg.run(host=toy_host)
    assert first.value("acc") < 0.2  # the negated model is wrong on purpose
    assert second.value("acc") == first.value("acc")  # the wrapper survived the second run


def test_defenses_receive_the_registry_of_the_running_host(toy_host, toy_config):
    # a training defense that builds components by name (the attack inside adversarial
    # training) must look them up where the pipeline resolved its config
    seen = []

    class Recorder:
        def train(self, model, data, trainer, ctx):
            seen.append(ctx.registry)
            return trainer.fit(model, data.x_train, data.y_train)

    class Plugin:
        @hookimpl
        def robustkit_register_defenses(self, register):
            register.training_defense("record-registry", lambda p: Recorder(),
                                      tasks=["classification"])

    toy_host.add_plugin(Plugin(), "recorder")
    toy_config.replace(defenses=["record-registry"], cache=False).run(host=toy_host)
    assert seen == [toy_host.registry]
