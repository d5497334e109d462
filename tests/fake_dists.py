"""Installed-looking distributions for plugin tests: a module plus a ``*.dist-info`` with
METADATA and entry_points.txt in a folder that a subprocess puts on sys.path, which
importlib.metadata finds exactly as it finds a pip-installed plugin."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path


def install(site: Path, module: str, source: str, *, dist: str | None = None,
            entry_point: str | None = None) -> None:
    """Write ``module.py`` and the dist-info of distribution ``dist`` (default: the module's
    name) declaring it as the robustkit entry point ``entry_point``."""
    dist = dist or module
    (site / f"{module}.py").write_text(textwrap.dedent(source))
    info = site / f"{dist.replace('-', '_')}-1.2.3.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 1.2.3\n")
    (info / "entry_points.txt").write_text(f"[robustkit]\n{entry_point or module} = {module}\n")


def run(site: Path, code: str, *, first: bool = True, check: bool = True
        ) -> subprocess.CompletedProcess:
    """Run ``code`` in a fresh interpreter with ``site`` on sys.path: before the installed
    packages (``first``) or after them, so that entry points are found in either order."""
    where = "sys.path.insert(0, {!r})" if first else "sys.path.append({!r})"
    env_code = "import sys; " + where.format(str(site)) + "\n" + textwrap.dedent(code)
    out = subprocess.run([sys.executable, "-c", env_code], capture_output=True, text=True,
                         timeout=300)
    if check:
        assert out.returncode == 0, out.stderr
    return out
