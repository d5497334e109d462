"""Bad config files: refused before anything runs, with the field, the value and the fix;
the store is left exactly as it was."""

from __future__ import annotations

import pytest
from catalogue import cli, snapshot, write_config


@pytest.mark.parametrize(("line", "field", "message"), [
    ('{ name = "shift", amount = true }', "amount", "valid number"),
    ('{ name = "shift", amount = "0.1" }', "amount", "valid number"),
    ('{ name = "shift", amount = nan }', "amount", "NaN (not a number) is not allowed"),
])
def test_component_param_of_the_wrong_type(host, store, tmp_path, line, field, message):
    config = write_config(tmp_path / "p.toml", f"perturbations = [{line}]")
    before = snapshot(store)
    result = cli("run", config, "--store", store)
    assert result.exit_code == 2, result.output
    assert field in result.output and message in result.output
    assert "should be less than or equal" not in result.output  # NaN is no bound problem
    assert snapshot(store) == before


def test_bool_for_an_integer_param_is_refused(host):
    from robustkit.components import Kind
    from robustkit.errors import ParamsError

    spec = host.registry.get(Kind.PERTURBATION, "toy-pgd")
    with pytest.raises(ParamsError, match="steps = True: Input should be a valid integer"):
        spec.validate_params({"steps": True})


def test_an_integer_for_a_float_param_is_still_accepted(host):
    from robustkit.components import Kind

    spec = host.registry.get(Kind.PERTURBATION, "shift")
    assert spec.validate_params({"amount": 1}).amount == 1.0


def test_pipeline_setting_of_the_wrong_type(host, store, tmp_path):
    config = tmp_path / "p.toml"
    config.write_text('dataset = "toy"\nmodel = "linear"\n[training]\nepochs = true\n')
    before = snapshot(store)
    result = cli("run", config, "--store", store)
    assert result.exit_code == 2
    assert "training.epochs: Input should be a valid integer (got True)" in result.output
    assert snapshot(store) == before


def test_directory_as_config(host, store, tmp_path):
    folder = tmp_path / "configs.toml"  # a suffix that looks right
    folder.mkdir()
    before = snapshot(store)
    result = cli("run", folder, "--store", store)
    assert result.exit_code == 2
    assert "is a directory; give the config file inside it" in result.output
    assert "suffix" not in result.output
    assert snapshot(store) == before


@pytest.mark.parametrize(("device", "message"), [
    ("banana", "device 'banana' is not a torch device; use cpu, cuda, cuda:N or mps"),
    ("cuda:0", "cuda:0 requested but this torch has no CUDA"),
])
def test_device_validated_before_the_run_is_recorded(host, store, tmp_path, device, message):
    import torch

    if device.startswith("cuda") and torch.version.cuda is not None:
        pytest.skip("this torch has CUDA")
    config = write_config(tmp_path / "p.toml", device=f'"{device}"')
    before = snapshot(store)
    result = cli("run", config, "--store", store)
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output
    assert snapshot(store) == before  # no run recorded, not even a failed one
