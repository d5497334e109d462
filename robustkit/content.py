"""Content hashes: what a model or data set *is*, independent of what it is called.

A model file is identified by the SHA-256 of its bytes, an in-memory module by the SHA-256 of
its state-dict tensors (names, dtypes, shapes and raw bytes), in-memory data by the bytes of its
tensors. The cache, the sweep resume and the store key on these, so two sets of weights behind
the same name or path can never be confused.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import torch

CHUNK = 1 << 20


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: str | Path) -> str:
    """SHA-256 of a file's bytes, read in chunks (model files can be gigabytes)."""
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _update_tensor(digest: Any, name: str, t: torch.Tensor) -> None:
    import torch

    t = t.detach().cpu().contiguous()
    digest.update(f"{name}|{t.dtype}|{tuple(t.shape)}|".encode())
    if t.numel():
        # viewing as bytes works for every dtype, bfloat16 included (NumPy has none)
        digest.update(t.reshape(-1).view(torch.uint8).numpy().tobytes())


def sha256_tensors(items: Iterable[tuple[str, torch.Tensor]]) -> str:
    """SHA-256 over named tensors in the order given (sort a state dict first)."""
    digest = hashlib.sha256()
    for name, t in items:
        _update_tensor(digest, name, t)
    return digest.hexdigest()


def sha256_state_dict(state: Mapping[str, Any]) -> str:
    """SHA-256 of a state dict's tensors, in key order so that insertion order is irrelevant."""
    import torch

    return sha256_tensors(
        (k, v) for k, v in sorted(state.items()) if isinstance(v, torch.Tensor)
    )


def sha256_module(module: torch.nn.Module) -> str:
    """SHA-256 of a module's weights and buffers, plus its class, so that two architectures
    with identically shaped weights stay apart."""
    cls = type(module)
    digest = hashlib.sha256(f"{cls.__module__}.{cls.__qualname__}|".encode())
    digest.update(sha256_state_dict(module.state_dict()).encode())
    return digest.hexdigest()
