"""Bring your own model: a CNN trained here in plain PyTorch (seconds, on the 8x8 digits), saved
in every format robustkit reads, and evaluated through each path without a line of plugin code.

What must hold (issue #19): the same weights give the same clean and perturbed accuracy as an
in-memory module, a torch.export archive, TorchScript and a state dict + factory (identical),
and through ONNX within 0.5 points for noise and score-based attacks; an overwritten model file
gives new numbers; bad files fail before any work with an error naming the file.
"""

from __future__ import annotations

import json
import textwrap
import threading

import numpy as np
import pytest
import torch

import robustkit
from robustkit.errors import ConfigError, DataError, IncompatibleError
from robustkit.pretrained import PRETRAINED_NOTE
from robustkit.store import Store
from robustkit.testing.byom import train_small_cnn

pytest.importorskip("robustkit_model_files")

TORCH_PERTS = [{"name": "pgd", "eps": 0.1, "steps": 10}, {"name": "fgsm", "eps": 0.1},
               {"name": "gaussian-noise", "sigma": 0.2}]
# budgets that leave accuracy mid-range, so agreement is not two zeros agreeing
SCORE_PERTS = [{"name": "gaussian-noise", "sigma": 0.2},
               {"name": "zoo", "max_queries": 200},
               {"name": "autozoom", "max_queries": 20}]
N_EVAL = 48


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """(module, x_test, y_test, folder with the net's module ``mynet`` on sys.path)."""
    import sys

    folder = tmp_path_factory.mktemp("byom")
    net, x, y = train_small_cnn(folder, "mynet")
    yield net, x, y, folder
    sys.path.remove(str(folder))


@pytest.fixture(scope="module")
def saved(trained):
    """The trained net in every torch format, and the bad files, written once."""
    net, x, _, folder = trained
    _save_all(net, x, folder)
    _bad_files(net, x, folder)
    return folder


def _save_all(net, x, folder):
    example = (x[:2],)
    batch = torch.export.Dim("batch")
    program = torch.export.export(net, example, dynamic_shapes=({0: batch},))
    torch.export.save(program, folder / "net.pt2")
    torch.jit.script(net).save(str(folder / "net_ts.pt"))
    torch.save(net.state_dict(), folder / "net_sd.pt")
    from safetensors.torch import save_file

    save_file(net.state_dict(), folder / "net.safetensors")


def _acc(result):
    return {row["perturbation"]: row["accuracy"] for row in result.table()}


def test_every_torch_path_gives_identical_numbers(trained, saved, tmp_path):
    net, x, y, folder = trained
    np.savez(tmp_path / "test.npz", x=x.numpy(), y=y.numpy())
    common = dict(perturbations=TORCH_PERTS, eval_samples=N_EVAL, store=tmp_path / "r.db",
                  integrity=False)
    factory = {"factory": "mynet:SmallCNN", "factory_kwargs": {"width": 8}}
    results = {
        "object": robustkit.evaluate(net, x, y, **common),
        "export": robustkit.evaluate(folder / "net.pt2", tmp_path / "test.npz", **common),
        "torchscript": robustkit.evaluate(folder / "net_ts.pt", x, y, **common),
        "state-dict": robustkit.evaluate(folder / "net_sd.pt", x, y, **factory, **common),
        "safetensors": robustkit.evaluate(folder / "net.safetensors", x, y, **factory,
                                          **common),
    }
    reference = _acc(results["object"])
    assert reference["clean"] > 0.8  # the net learned the digits
    assert reference["pgd[eps=0.1,steps=10]"] < reference["clean"] - 0.2  # and PGD bites
    for path, result in results.items():
        assert _acc(result) == reference, path
        assert result.config["training"] == {"skipped": PRETRAINED_NOTE}
    manifest = results["export"].config["provenance"]["model"]
    assert manifest["file"] == "net.pt2"
    assert manifest["size"] == (folder / "net.pt2").stat().st_size
    assert len(manifest["sha256"]) == 64
    with Store(tmp_path / "r.db") as db:  # stored, with the manifest
        stored = db.run(results["export"].run_id)
        assert stored["config"]["provenance"]["model"]["sha256"] == manifest["sha256"]
        assert stored["status"] == "done"


def test_onnx_matches_torch_within_half_a_point(trained, tmp_path):
    pytest.importorskip("onnxscript")
    net, x, y, _ = trained
    path = tmp_path / "net.onnx"
    batch = torch.export.Dim("batch")
    torch.onnx.export(net, (x[:2],), str(path), dynamic_shapes=({0: batch},), dynamo=True)
    common = dict(perturbations=SCORE_PERTS, eval_samples=N_EVAL, store=tmp_path / "r.db",
                  integrity=False)
    torch_numbers = _acc(robustkit.evaluate(net, x, y, **common))
    onnx_numbers = _acc(robustkit.evaluate(path, x, y, **common))
    assert torch_numbers.keys() == onnx_numbers.keys()
    for attack in ("zoo[max_queries=200]", "autozoom[max_queries=20]"):
        assert 0.05 < onnx_numbers[attack] < onnx_numbers["clean"] - 0.1, attack  # it bites
    for label in torch_numbers:
        assert abs(torch_numbers[label] - onnx_numbers[label]) <= 0.005, label
    with pytest.raises(IncompatibleError, match="scores only.*pgd.*zoo"):
        robustkit.evaluate(path, x, y, perturbations=["pgd"], store=tmp_path / "r.db")


def test_overwritten_model_file_gives_new_numbers(trained, tmp_path):
    net, x, y, _ = trained
    path = tmp_path / "net.pt2"
    batch = torch.export.Dim("batch")
    torch.export.save(torch.export.export(net, (x[:2],), dynamic_shapes=({0: batch},)), path)
    common = dict(perturbations=[{"name": "gaussian-noise", "sigma": 0.2}], store=tmp_path /
                  "r.db", integrity=False)
    first = robustkit.evaluate(path, x, y, **common)
    again = robustkit.evaluate(path, x, y, **common)
    assert _acc(again) == _acc(first) and again.fingerprint == first.fingerprint
    worse = type(net)()
    worse.load_state_dict(net.state_dict())
    with torch.no_grad():
        worse.head.weight.mul_(-1.0)  # other weights, same structure and file size
    worse.eval()
    torch.export.save(torch.export.export(worse, (x[:2],), dynamic_shapes=({0: batch},)), path)
    after = robustkit.evaluate(path, x, y, **common)
    assert after.fingerprint != first.fingerprint
    assert _acc(after)["clean"] < _acc(first)["clean"] - 0.5
    assert after.config["provenance"]["model"]["sha256"] != \
        first.config["provenance"]["model"]["sha256"]


class _ExpectsNormalised(torch.nn.Module):
    """A net trained on (x - mean) / std: undoes the normalisation, then runs ``net``."""

    def __init__(self, net, mean, std):
        super().__init__()
        self.net, self.mean, self.std = net, mean, std

    def forward(self, z):
        return self.net(z * self.std + self.mean)


def test_preprocessing_keeps_attacks_in_pixel_space(trained, tmp_path):
    net, x, y, _ = trained
    mean, std = 0.3, 0.4
    common = dict(perturbations=[{"name": "fgsm", "eps": 0.1}], store=tmp_path / "r.db",
                  integrity=False, eval_samples=N_EVAL)
    plain = _acc(robustkit.evaluate(net, x, y, **common))
    normalised = _ExpectsNormalised(net, mean, std).eval()
    wrapped = _acc(robustkit.evaluate(normalised, x, y,
                                      preprocessing={"mean": [mean], "std": [std]}, **common))
    # ε is measured in pixel space: the same attack, the same numbers (up to float rounding)
    assert wrapped == pytest.approx(plain, abs=1.5 / N_EVAL)
    unwrapped = _acc(robustkit.evaluate(normalised, x, y, **common))
    assert unwrapped["clean"] < plain["clean"] - 0.2  # without it the model sees wrong inputs


def _bad_files(net, x, folder):
    (folder / "truncated.pt2").write_bytes((folder / "net.pt2").read_bytes()[:2000])
    torch.save(net, folder / "pickled.pt")  # the whole module: not weights-only
    wrong_shape = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(28 * 28, 10)).eval()
    torch.jit.script(wrong_shape).save(str(folder / "mnist_shaped.pt"))
    three = torch.nn.Sequential(torch.nn.Flatten(), torch.nn.Linear(64, 3)).eval()
    torch.jit.script(three).save(str(folder / "three_classes.pt"))
    torch.export.save(torch.export.export(net, (x[:1],)), folder / "batch_of_one.pt2")


@pytest.mark.parametrize("name,error,message", [
    ("missing.pt2", DataError, "does not exist"),
    ("truncated.pt2", DataError, "cannot be read as a torch.export archive.*truncated"),
    ("pickled.pt", DataError, "pickled Python objects.*weights_only=True"),
    ("mnist_shaped.pt", DataError, r"does not accept the data set's inputs of shape \(1, 8, 8\)"),
    ("three_classes.pt", DataError, "3 scores.*10 classes"),
    ("batch_of_one.pt2", DataError, "one input at a time.*dynamic batch dimension"),
])
def test_bad_model_file_fails_before_any_work(trained, saved, tmp_path, name, error, message):
    net, x, y, folder = trained
    store = tmp_path / "r.db"
    kept = robustkit.evaluate(net, x, y, store=store, integrity=False)
    with pytest.raises(error, match=message) as info:
        robustkit.evaluate(folder / name, x, y, store=store,
                           perturbations=[{"name": "pgd", "eps": 0.1}])
    assert name in str(info.value)  # the error names the file
    with Store(store) as db:  # what was stored before is still there
        assert db.metrics(kept.run_id) and db.run(kept.run_id)["status"] == "done"
        assert all(r["status"] != "done" for r in db.runs() if r["id"] != kept.run_id)


def test_state_dict_errors_say_what_to_give(trained, tmp_path):
    net, x, y, folder = trained
    torch.save(net.state_dict(), tmp_path / "sd.pt")
    with pytest.raises(DataError, match="factory = 'package.module:callable'"):
        robustkit.evaluate(tmp_path / "sd.pt", x, y, store=tmp_path / "r.db")
    with pytest.raises(DataError, match="does not fit the model mynet:SmallCNN builds"):
        robustkit.evaluate(tmp_path / "sd.pt", x, y, factory="mynet:SmallCNN",
                           factory_kwargs={"width": 4}, store=tmp_path / "r.db")


def test_data_file_errors_name_key_and_dtype(trained, tmp_path):
    net, x, y, _ = trained
    np.savez(tmp_path / "keys.npz", images=x.numpy(), y=y.numpy())
    with pytest.raises(DataError, match=r"no key\(s\) \['x'\].*'images'.*x_key"):
        robustkit.evaluate(net, {"name": "data-file", "path": str(tmp_path / "keys.npz")},
                           store=tmp_path / "r.db")
    np.savez(tmp_path / "float_labels.npz", x=x.numpy(), y=y.numpy().astype(np.float32))
    with pytest.raises(DataError, match="labels have dtype torch.float32"):
        robustkit.evaluate(net, tmp_path / "float_labels.npz", store=tmp_path / "r.db")
    np.savez(tmp_path / "bytes.npz", x=(x.numpy() * 255).astype(np.uint8), y=y.numpy())
    with pytest.raises(DataError, match="uint8.*divided by 255"):
        robustkit.evaluate(net, tmp_path / "bytes.npz", store=tmp_path / "r.db")


def test_test_only_data_cannot_train_a_registered_model(tmp_path):
    x = torch.rand(10, 1, 8, 8)
    y = torch.arange(10)
    with pytest.raises(IncompatibleError, match="only a test split"):
        robustkit.Pipeline(dataset=(x, y), model="small-cnn").run(store=tmp_path / "r.db")


def test_objects_are_named_by_content(trained):
    net, x, y, _ = trained
    a = robustkit.Pipeline(model=net, dataset=(x, y))
    other = type(net)()
    b = robustkit.Pipeline(model=other, dataset=(x, y))
    assert a.model.name.startswith("object:SmallCNN@")
    assert a.model.name != b.model.name
    assert a.dataset.name == b.dataset.name
    with pytest.raises(ConfigError, match="needs labels"):
        robustkit.Pipeline(model=net, dataset=x)


def test_cli_eval_prints_the_table_and_stores_the_run(trained, tmp_path):
    from click.testing import CliRunner

    from robustkit.cli import main

    net, x, y, _ = trained
    batch = torch.export.Dim("batch")
    torch.export.save(torch.export.export(net, (x[:2],), dynamic_shapes=({0: batch},)),
                      tmp_path / "net.pt2")
    np.savez(tmp_path / "test.npz", x=x.numpy(), y=y.numpy())
    args = ["eval", str(tmp_path / "net.pt2"), "--data", str(tmp_path / "test.npz"),
            "--attack", "pgd:steps=5", "--eps", "8/255", "--eps", "0.1", "--attack", "fgsm",
            "--store", str(tmp_path / "r.db"), "--samples", "40", "--json"]
    out = CliRunner().invoke(main, args)
    assert out.exit_code == 0, out.output
    shown = json.loads(out.output)
    labels = [row["perturbation"] for row in shown["table"]]
    assert labels == ["clean", "pgd[eps=0.0313725,steps=5]", "pgd[eps=0.1,steps=5]",
                      "fgsm[eps=0.0313725]", "fgsm[eps=0.1]"]
    assert shown["provenance"]["model"]["file"] == "net.pt2"
    with Store(tmp_path / "r.db") as db:
        assert db.run(shown["run_id"])["status"] == "done"
    missing = CliRunner().invoke(main, ["eval", str(tmp_path / "nope.pt2"), "--data",
                                        str(tmp_path / "test.npz"), "--store",
                                        str(tmp_path / "r.db")])
    assert missing.exit_code == 2 and "nope.pt2" in missing.output
    assert "does not exist" in missing.output and "Traceback" not in missing.output


@pytest.mark.slow
def test_objects_reach_process_pool_workers(trained, tmp_path):
    from robustkit.config import ComponentRef
    from robustkit.sweep import Sweep, run_sweep

    net, x, y, _ = trained
    sweep = Sweep(name="byom", datasets=[(x[:60], y[:60])], models=[net],
                  perturbations=[{"name": "fgsm", "eps": 0.1}, "gaussian-noise"],
                  integrity=False)
    here = run_sweep(sweep, store=tmp_path / "in.db")
    pool = run_sweep(sweep, store=tmp_path / "pool.db",
                     executor=ComponentRef(name="process-pool", params={"workers": 1}))
    assert here.failed == [] and pool.failed == [] and pool.ran == 3

    def values(path, run_ids=None):
        with Store(path) as db:
            return sorted((r.label, r.value) for run in db.runs() for r in db.metrics(run["id"]))

    assert values(tmp_path / "pool.db") == values(tmp_path / "in.db")


@pytest.mark.slow
def test_objects_workers_cannot_rebuild_are_refused_before_the_sweep(trained, tmp_path):
    from robustkit.config import ComponentRef
    from robustkit.sweep import Sweep, run_sweep

    _, x, y, _ = trained

    class Holder(torch.nn.Module):  # holds a lock: no pickler can send it to a worker
        def __init__(self):
            super().__init__()
            self.fc = torch.nn.Linear(64, 10)
            self.lock = threading.Lock()

        def forward(self, v):
            return self.fc(v.flatten(1))

    sweep = Sweep(datasets=[(x[:20], y[:20])], models=[Holder()], perturbations=[
        "gaussian-noise"])
    with pytest.raises(ConfigError, match=r"cannot be sent .*object:Holder@.*importable module"):
        run_sweep(sweep, store=tmp_path / "r.db",
                  executor=ComponentRef(name="process-pool", params={"workers": 1}))
    with Store(tmp_path / "r.db") as db:
        assert db.runs() == []  # refused before any cell ran


PLUGIN = textwrap.dedent("""
    import robustkit
    from mynet import SmallCNN

    def build_net(params):
        return Builder()

    class Builder:
        def build(self, info):
            return SmallCNN(classes=info.num_classes)

    class ScriptPlugin:
        @robustkit.hookimpl
        def robustkit_register_models(self, register):
            register("script-cnn", build_net, tasks=["classification"], modalities=["image"])
""")


@pytest.mark.slow
@pytest.mark.parametrize("executor", ["process-pool", "ray"])
def test_script_registered_model_reaches_workers(trained, tmp_path, executor):
    from robustkit.config import ComponentRef
    from robustkit.plugins import PluginHost
    from robustkit.sweep import Sweep, run_sweep

    _, _, _, folder = trained
    (folder / "scriptplugin.py").write_text(PLUGIN)
    import scriptplugin

    host = PluginHost()
    host.add_plugin(scriptplugin.ScriptPlugin(), "script-plugin")  # an object, not installed
    sweep = Sweep(datasets=["digits"], models=["script-cnn"], perturbations=["gaussian-noise"],
                  training={"epochs": 1}, eval_samples=50, integrity=False)
    outcome = run_sweep(sweep, host=host, store=tmp_path / "r.db",
                        executor=ComponentRef(name=executor, params={"workers": 1}))
    assert outcome.failed == [] and outcome.ran == 2


def test_a_file_named_as_a_component_gets_a_hint(tmp_path):
    with pytest.raises(robustkit.UnknownComponentError, match='name = "model-file", path'):
        robustkit.Pipeline(model="net.pt2", dataset="digits").run(store=tmp_path / "r.db")


def test_sweep_cells_change_with_the_file_content(trained, tmp_path):
    from robustkit.sweep import Sweep, expand

    net, x, y, _ = trained
    path = tmp_path / "net.pt"
    torch.jit.script(net).save(str(path))
    sweep = Sweep(datasets=[(x, y)], models=[{"name": "model-file", "path": str(path)}],
                  perturbations=["gaussian-noise"])
    before = expand(sweep)
    other = type(net)()
    torch.jit.script(other).save(str(path))
    after = expand(sweep)
    assert before.sweep_id != after.sweep_id  # a resumed sweep never reuses old cells
    assert {c.key for c in before.cells}.isdisjoint({c.key for c in after.cells})
