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
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any

from robustkit.errors import RobustkitWarning

if TYPE_CHECKING:
    from torch import nn


def fingerprint(parts: dict[str, Any]) -> str:
    blob = json.dumps(parts, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()


def structure(model: nn.Module) -> str:
    """The module tree as text (names and classes), so a cache hit needs the same structure."""
    return ";".join(f"{name}:{type(m).__module__}.{type(m).__qualname__}"
                    for name, m in model.named_modules())


def _refused(path: Path, why: str) -> None:
    warnings.warn(f"cached model {path} was refused ({why}); retraining, and replacing the "
                  "file with the new model", RobustkitWarning, stacklevel=3)


class ModelCache:
    def __init__(self, root: str | Path):
        self.root = Path(root)

    def path(self, key: str) -> Path:
        return self.root / key[:2] / f"{key}.pt"

    def load(self, key: str, model: nn.Module) -> bool:
        """Fill ``model`` with cached weights; False when absent, unreadable, or saved from a
        module of another structure (then the caller retrains)."""
        import torch

        path = self.path(key)
        if not path.exists():
            return False
        try:
            saved = torch.load(path, map_location="cpu", weights_only=True)
            if not isinstance(saved, dict) or saved.get("structure") != structure(model):
                # e.g. a training defense returned a wrapper: loading its weights into the
                # bare model would silently drop the wrapper
                _refused(path, "it holds a model of another structure, e.g. saved by a training "
                         "defense that wraps the model and has no rebuild()")
                return False
            model.load_state_dict(saved["state"])
        except Exception as exc:
            # a truncated, stale or tampered file is a cache miss, never a failed run; but
            # the user is told, since the file is about to be overwritten
            reason = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
            _refused(path, f"{type(exc).__name__}: {reason[:200]}")
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
            state = {k: v.detach().cpu() for k, v in model.state_dict().items()}
            torch.save({"structure": structure(model), "state": state}, tmp)
            os.replace(tmp, path)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
        return path
