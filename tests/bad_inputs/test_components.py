"""Components that break a run: each gives one error line naming the component, its plugin
and the fix (never a traceback), the run is stored as failed, and every number measured
before the failure is kept."""

from __future__ import annotations

import pytest
from catalogue import cli, only_new_run, snapshot, write_config

PLUGIN = "plugin 'bad_components'"


def run_bad(store, tmp_path, text: str, metrics: str = '["acc"]'):
    config = write_config(tmp_path / "p.toml", text)
    config.write_text(config.read_text().replace('metrics = ["acc"]', f"metrics = {metrics}"))
    before = snapshot(store)
    result = cli("run", config, "--store", store)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    lines = [line for line in result.output.splitlines() if line.startswith("error:")]
    assert len(lines) == 1, result.output
    return result.output, only_new_run(before, store, "failed")


def test_perturbation_that_edits_its_input_in_place(host, store, tmp_path):
    out, run = run_bad(store, tmp_path,
                       'perturbations = [{ name = "inplace-noise", eps = 0.3 }, "shift"]')
    assert f"perturbation 'inplace-noise' from {PLUGIN} changed its input" in out
    assert "x = x.clone()" in out  # the fix
    assert run["metrics"][("clean", "acc")] is not None  # measured before: kept
    assert not any(label.startswith("shift") for label, _ in run["metrics"])


def test_training_label_perturbation_that_edits_labels_in_place(host, store, tmp_path):
    out, run = run_bad(store, tmp_path, 'train_perturbations = ["inplace-label-noise"]')
    assert (f"perturbation 'inplace-label-noise' from {PLUGIN} changed its input (argument 2) "
            "in place while perturbing training labels") in out
    assert run["metrics"] == {}


def test_defense_fit_that_edits_the_training_data(host, store, tmp_path):
    out, _ = run_bad(store, tmp_path, 'defenses = ["fit-in-place"]')
    assert (f"defense 'fit-in-place' from {PLUGIN} changed its input (DataBundle.x_train) in "
            "place while fitting") in out


def test_perturbation_returning_integers(host, store, tmp_path):
    out, run = run_bad(store, tmp_path, 'perturbations = ["integer-output"]')
    assert f"perturbation 'integer-output' from {PLUGIN} returned inputs of dtype int64" in out
    assert ".to(x.dtype)" in out
    assert ("clean", "acc") in run["metrics"]


@pytest.mark.parametrize(("attack", "message"), [
    ("weight-editor", "changed the model's weights or buffers"),
    ("train-mode", "left the model in training mode"),
])
def test_white_box_attack_that_changes_the_model(host, store, tmp_path, attack, message):
    out, run = run_bad(store, tmp_path, f'perturbations = ["{attack}", "shift"]')
    assert f"perturbation '{attack}' from {PLUGIN} {message}" in out
    assert run["metrics"][("clean", "acc")] is not None
    assert not any(label.startswith(("shift", attack)) for label, _ in run["metrics"])


@pytest.mark.parametrize(("metric", "message"), [
    ("text-metric", "returned 'high' (str) as 'text-metric' for clean; a metric value must "
                    "be a number"),
    ("pair-metric", "returned a tensor of shape (2,) as 'pair-metric' for clean; a metric "
                    "value is one number"),
    ("mutating-metric", "changed its input (Evaluation.x_clean) in place while scoring clean"),
])
def test_metric_returning_no_number_keeps_the_others(host, store, tmp_path, metric, message):
    out, run = run_bad(store, tmp_path, "", metrics=f'["{metric}", "acc"]')
    assert f"metric '{metric}' from {PLUGIN} {message}" in out
    # the evaluation's other metric, computed after the broken one, is still stored
    assert run["metrics"].get(("clean", "acc")) is not None
    assert "error" in run and metric in run["error"]


def test_defense_transform_raising(host, store, tmp_path):
    out, run = run_bad(store, tmp_path, 'defenses = ["raising-transform"]')
    assert (f"defense 'raising-transform' from {PLUGIN} failed while transforming inputs: "
            "RuntimeError: lookup table not fitted") in out
    assert "leave 'raising-transform' out of the config" in out


def test_params_that_pass_every_contract_but_break_a_run(host, store, tmp_path):
    """A median window of 2 validates (2 <= size <= 7) but its padding only fits odd
    windows: the error names the defense, not the linear layer that would have failed."""
    out, run = run_bad(store, tmp_path, 'defenses = [{ name = "median-1d", size = 2 }]')
    assert f"defense 'median-1d' from {PLUGIN} turned inputs of shape" in out
    assert "must keep the shape" in out and "window size" in out


def test_the_same_defense_with_an_odd_window_runs(host, store, tmp_path):
    config = write_config(tmp_path / "p.toml", 'defenses = [{ name = "median-1d", size = 3 }]')
    assert cli("run", config, "--store", store).exit_code == 0


def test_guard_checksums_large_tensors(monkeypatch):
    """Tensors above the copy limit are handed over as they are and checked by checksum."""
    import torch

    from robustkit import guard
    from robustkit.errors import PluginError

    class Spec:
        label, plugin, name = "perturbation 'p'", "x", "p"

    class R:
        spec = Spec()

    monkeypatch.setattr(guard, "COPY_LIMIT", 0)
    x = torch.rand(64, 8)
    guard.call(R(), "reading", lambda t: t.sum(), x)  # reading is fine

    def swap_rows(t):
        t[[0, 1]] = t[[1, 0]].clone()  # same values, other places: sums alone miss it

    with pytest.raises(PluginError, match="changed its input"):
        guard.call(R(), "swapping", swap_rows, x)


def test_guarded_call_keeps_gradients_flowing():
    """The copy handed to an input transform stays in the graph: gradient attacks still see
    through a differentiable defense."""
    import torch

    from robustkit import guard

    class Spec:
        label, plugin, name = "defense 'd'", "x", "d"

    class R:
        spec = Spec()

    x = torch.rand(3, 4, requires_grad=True)
    guard.transform(R(), lambda t: t * 2, x).sum().backward()
    assert torch.equal(x.grad, torch.full((3, 4), 2.0))
