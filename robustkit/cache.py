"""Content-addressed cache of trained models: the same training is never done twice.

The key is a hash of everything that shaped the weights (data set and params, model and params,
training config, training-time perturbations and defenses, seed, and the versions of the
plugins and of torch). Weights are saved as a state_dict and read back with
``weights_only=True``, so a cache file can never run code.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from torch import nn


def fingerprint(parts: dict[str, Any]) -> str:
    blob = json.dumps(parts, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()


class ModelCache:
    def __init__(self, root: str | Path):
        self.root = Path(root)

    def path(self, key: str) -> Path:
        return self.root / key[:2] / f"{key}.pt"

    def load(self, key: str, model: nn.Module) -> bool:
        """Fill ``model`` with cached weights; False when absent or unreadable (then retrain)."""
        import torch

        path = self.path(key)
        if not path.exists():
            return False
        try:
            state = torch.load(path, map_location="cpu", weights_only=True)
            model.load_state_dict(state)
        except Exception:
            # a truncated or stale file is a cache miss, never a failed run
            return False
        return True

    def save(self, key: str, model: nn.Module) -> Path:
        import torch

        path = self.path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        # write then rename, so a concurrent reader never sees half a file
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        os.close(fd)
        try:
            torch.save({k: v.detach().cpu() for k, v in model.state_dict().items()}, tmp)
            os.replace(tmp, path)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
        return path
