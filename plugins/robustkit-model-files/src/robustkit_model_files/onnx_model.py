"""An ONNX model run by onnxruntime: a score-only model (no gradients reach the attacks).

onnxruntime is the reference runtime of the ONNX format (Microsoft, MIT licence) and runs on
CPU with no build step; a model exported from any framework runs without its training code.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn

from robustkit.content import sha256_bytes
from robustkit_model_files.files import FileBytes, content_hash, file_error, manifest, read
from robustkit_model_files.params import OnnxModelParams

WHAT = "ONNX model"
_SESSIONS: dict[str, Any] = {}


def _sidecar(path: Path) -> Path | None:
    """torch.onnx.export keeps weights in ``<name>.data`` next to the graph by default."""
    data = path.with_name(path.name + ".data")
    return data if data.is_file() else None


def _combined(main_sha: str, path: Path) -> str:
    data = _sidecar(path)
    if data is None:
        return main_sha
    return sha256_bytes(f"{main_sha}|{data.name}|{content_hash(data)}".encode())


def provenance(params: OnnxModelParams) -> dict[str, Any]:
    found = manifest(params.path, WHAT)
    data = _sidecar(Path(str(found["path"])))
    if data is None:
        return {**found, "format": "onnx"}
    return {**found, "format": "onnx", "graph_sha256": found["sha256"],
            "sha256": _combined(str(found["sha256"]), data.with_name(str(found["file"]))),
            "external_data": {"file": data.name, "size": data.stat().st_size,
                              "sha256": content_hash(data)}}


def check(params: OnnxModelParams, facts: Any) -> str | None:
    """Open the session at validation: a missing or corrupt file fails before any work."""
    load(params)
    return None


def load(params: OnnxModelParams) -> tuple[FileBytes, Any, str]:
    import onnxruntime as ort

    blob = read(params.path, WHAT)
    blob.sha256 = _combined(blob.sha256, blob.path)  # the graph and its external weights
    session = _SESSIONS.get(blob.sha256)
    if session is None:
        options = ort.SessionOptions()
        # follow torch's thread setting, so a sweep's threads-per-cell holds here too
        options.intra_op_num_threads = max(1, torch.get_num_threads())
        options.inter_op_num_threads = 1
        try:
            # weights in an external file are found only relative to the graph's own path
            source = str(blob.path) if _sidecar(blob.path) else blob.data
            session = ort.InferenceSession(source, options, providers=["CPUExecutionProvider"])
        except Exception as exc:
            first = (str(exc).strip().splitlines() or [""])[0][:240]
            raise file_error(blob.path, f"cannot be read as an ONNX model ({blob.size} bytes; "
                             f"{first})", "The file may be truncated; export it again with "
                             "torch.onnx.export(model, (x,), path, dynamo=True)") from None
        _SESSIONS.clear()  # one session at a time: a model's weights stay in memory once
        _SESSIONS[blob.sha256] = session
    inputs = [i.name for i in session.get_inputs()]
    name = params.input_name or (inputs[0] if len(inputs) == 1 else None)
    if name not in inputs:
        raise file_error(blob.path, f"has graph inputs {inputs}", "Set input_name to the one "
                         "that takes the images/features")
    return blob, session, name


class OnnxModule(nn.Module):
    """``forward`` runs the session on NumPy; the result comes back as a tensor without a
    graph, so gradient attacks are refused at validation (the spec is score-only)."""

    def __init__(self, session: Any, input_name: str):
        super().__init__()
        self.session, self.input_name = session, input_name
        shape = next(i.shape for i in session.get_inputs() if i.name == input_name)
        self.fixed_batch = shape[0] if shape and isinstance(shape[0], int) else None

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        data = x.detach().cpu().float().numpy()
        if self.fixed_batch is None or data.shape[0] == self.fixed_batch:
            out = self._run(data)
        else:  # exported with a fixed batch size: feed it chunks of that size, pad the last
            b, parts = self.fixed_batch, []
            for start in range(0, data.shape[0], b):
                chunk = data[start:start + b]
                pad = b - chunk.shape[0]
                if pad:
                    chunk = np.concatenate([chunk, np.repeat(chunk[-1:], pad, axis=0)])
                parts.append(self._run(chunk)[: b - pad])
            out = np.concatenate(parts)
        return torch.from_numpy(np.ascontiguousarray(out)).to(x.device)

    def _run(self, data: np.ndarray) -> np.ndarray:
        return self.session.run(None, {self.input_name: data})[0]


class OnnxModel:
    def __init__(self, params: OnnxModelParams):
        self.params = params
        self.source = f"{WHAT} {params.path}"

    def build(self, info: Any) -> nn.Module:
        blob, session, name = load(self.params)
        self.sha256 = blob.sha256
        self.source = f"{WHAT} {blob.path}"
        return OnnxModule(session, name)
