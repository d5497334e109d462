"""Reading a user's file once: its bytes, its hash, and errors that name it."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from robustkit.content import sha256_bytes, sha256_file
from robustkit.errors import DataError

_HASHES: dict[tuple, str] = {}


def file_error(path: Path, problem: str, fix: str = "") -> DataError:
    return DataError(f"{path}: {problem}" + (f". {fix}" if fix else ""))


def existing(path: Path, what: str) -> Path:
    p = path.expanduser()
    if not p.is_file():
        where = "" if p.is_absolute() else f" (relative to {Path.cwd()})"
        problem = "is a directory, not a file" if p.is_dir() else "does not exist"
        raise file_error(p, f"{what} {problem}{where}", "Check the path param")
    return p.resolve()


def _stat_key(path: Path) -> tuple:
    st = os.stat(path)
    return (str(path), st.st_size, st.st_mtime_ns, st.st_ino)


def content_hash(path: Path) -> str:
    """SHA-256 of the file, remembered while its size, mtime and inode stay the same."""
    key = _stat_key(path)
    if key not in _HASHES:
        _HASHES[key] = sha256_file(path)
    return _HASHES[key]


@dataclass
class FileBytes:
    path: Path
    data: bytes
    sha256: str

    @property
    def size(self) -> int:
        return len(self.data)


def read(path: Path, what: str) -> FileBytes:
    p = existing(path, what)
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise file_error(p, f"cannot read the {what} ({exc.strerror})") from None
    if not data:
        raise file_error(p, f"the {what} is empty (0 bytes)", "Save it again")
    return FileBytes(p, data, sha256_bytes(data))


def manifest(path: Path, what: str) -> dict[str, object]:
    """What the store records of a file: name, absolute path, size, SHA-256."""
    p = existing(path, what)
    return {"file": p.name, "path": str(p), "size": p.stat().st_size,
            "sha256": content_hash(p)}
