"""The file loaders on files the tests write: every format loads to the same function, every
bad file is one DataError naming it, and the manifest hashes the bytes."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest
import torch
from robustkit_model_files.data_files import DataFile, VectorDataFile
from robustkit_model_files.params import DataFileParams, ModelFileParams, OnnxModelParams
from robustkit_model_files.torch_models import ModelFile, check, provenance

from robustkit.components import DataInfo, Modality, Task
from robustkit.errors import DataError

INFO = DataInfo(Task.CLASSIFICATION, Modality.VECTOR, (6,), num_classes=3)


def _net() -> torch.nn.Module:
    torch.manual_seed(0)
    return torch.nn.Sequential(torch.nn.Linear(6, 5), torch.nn.ReLU(),
                               torch.nn.Linear(5, 3)).eval()


def _build(**params) -> torch.nn.Module:
    return ModelFile(ModelFileParams(**params)).build(INFO)


def test_every_torch_format_computes_the_same_function(tmp_path):
    net, x = _net(), torch.rand(4, 6)
    batch = torch.export.Dim("batch")
    torch.export.save(torch.export.export(net, (x,), dynamic_shapes=({0: batch},)),
                      tmp_path / "m.pt2")
    torch.jit.script(net).save(str(tmp_path / "m.pt"))
    models = [_build(path=tmp_path / "m.pt2"), _build(path=tmp_path / "m.pt")]
    for m in models:
        assert torch.equal(m(x), net(x))
        m.eval()  # the exported program's wrapper accepts mode switches
        m.train()


def test_state_dict_with_a_factory(tmp_path, monkeypatch):
    (tmp_path / "tinynet.py").write_text(
        "import torch\n"
        "def make(hidden=5):\n"
        "    return torch.nn.Sequential(torch.nn.Linear(6, hidden), torch.nn.ReLU(),\n"
        "                               torch.nn.Linear(hidden, 3))\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    net, x = _net(), torch.rand(4, 6)
    torch.save({"state_dict": net.state_dict(), "epoch": 3}, tmp_path / "ckpt.pt")
    from safetensors.torch import save_file

    save_file(net.state_dict(), tmp_path / "m.safetensors")
    for name in ("ckpt.pt", "m.safetensors"):
        model = _build(path=tmp_path / name, factory="tinynet:make")
        assert torch.equal(model(x), net(x)), name
    with pytest.raises(DataError, match="does not fit the model tinynet:make builds"):
        _build(path=tmp_path / "m.safetensors", factory="tinynet:make",
               factory_kwargs={"hidden": 4})
    with pytest.raises(DataError, match="factory 'nowhere:make' cannot be imported"):
        _build(path=tmp_path / "m.safetensors", factory="nowhere:make")


@pytest.mark.parametrize("make,match", [
    (lambda p: None, "does not exist"),
    (lambda p: p.write_bytes(b""), "is empty"),
    (lambda p: p.write_bytes(b"PK\x03\x04 not really a zip"), "cannot be read as"),
    (lambda p: torch.save(torch.nn.Linear(6, 3), p), "pickled Python objects"),
])
def test_bad_files_are_one_clear_error(tmp_path, make, match):
    path = tmp_path / "bad.pt"
    make(path)
    with pytest.raises(DataError, match=match) as info:
        check(ModelFileParams(path=path, factory="torch.nn:Identity"), None)
    assert "bad.pt" in str(info.value)


def test_manifest_is_the_hash_of_the_bytes(tmp_path):
    net = _net()
    torch.jit.script(net).save(str(tmp_path / "m.pt"))
    found = provenance(ModelFileParams(path=tmp_path / "m.pt"))
    data = (tmp_path / "m.pt").read_bytes()
    assert found["file"] == "m.pt" and found["size"] == len(data)
    assert found["sha256"] == hashlib.sha256(data).hexdigest()


def test_onnx_file_that_is_not_onnx(tmp_path):
    pytest.importorskip("onnxruntime")
    from robustkit_model_files.onnx_model import check as onnx_check

    (tmp_path / "m.onnx").write_bytes(b"\x00garbage" * 20)
    with pytest.raises(DataError, match="m.onnx: cannot be read as an ONNX model"):
        onnx_check(OnnxModelParams(path=tmp_path / "m.onnx"), None)


def test_data_files_in_each_format(tmp_path):
    x = np.random.default_rng(0).random((12, 6)).astype(np.float32)
    y = np.arange(12) % 3
    np.savez(tmp_path / "d.npz", x=x, y=y)
    torch.save({"x": torch.from_numpy(x), "y": torch.from_numpy(y)}, tmp_path / "d.pt")
    from safetensors.torch import save_file

    save_file({"x": torch.from_numpy(x), "y": torch.from_numpy(y)}, tmp_path / "d.safetensors")
    for name in ("d.npz", "d.pt", "d.safetensors"):
        bundle = VectorDataFile(DataFileParams(path=tmp_path / name)).load(0)
        assert torch.equal(bundle.x_test, torch.from_numpy(x)), name
        assert bundle.x_train.shape[0] == 0 and bundle.info.num_classes == 3
    with pytest.raises(DataError, match="reads N x C x H x W.*vector-data-file"):
        DataFile(DataFileParams(path=tmp_path / "d.npz")).load(0)
    with pytest.raises(DataError, match=r"no key\(s\) \['inputs'\]"):
        VectorDataFile(DataFileParams(path=tmp_path / "d.npz", x_key="inputs")).load(0)
    np.savez(tmp_path / "wide.npz", x=x * 3, y=y)
    with pytest.raises(DataError, match=r"outside DataInfo.bounds"):
        VectorDataFile(DataFileParams(path=tmp_path / "wide.npz")).load(0)
