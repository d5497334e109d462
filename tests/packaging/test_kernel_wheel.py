"""Build the kernel and one plugin as wheels, install them into a fresh venv, use them.

This is a real ``pip install`` with dependency resolution (the wheels declare a torch range;
the exact pin, torch==2.13.0 from the machine's local wheel, comes from requirements.txt as a
constraint, as in CI), so it catches a missing file in a wheel or a wrong entry point that
an editable install would hide.
"""

import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _run(cmd, **kw):
    out = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, timeout=900,
                         **kw)
    assert out.returncode == 0, f"{cmd} failed:\n{out.stdout[-3000:]}\n{out.stderr[-3000:]}"
    return out.stdout


def test_kernel_and_plugin_wheels_install_and_are_discovered(tmp_path):
    dist = tmp_path / "dist"
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", dist, ROOT,
          ROOT / "plugins" / "robustkit-noise"])
    wheels = sorted(p.name for p in dist.glob("*.whl"))
    assert [w.split("-")[0] for w in wheels] == ["robustkit", "robustkit_noise"]

    env_dir = tmp_path / "venv"
    venv.create(env_dir, with_pip=True)
    bin_dir = env_dir / "bin"
    pins = tmp_path / "constraints.txt"  # constraints may not hold the -e lines
    pins.write_text("".join(line + "\n" for line in
                            (ROOT / "requirements.txt").read_text().splitlines()
                            if line.startswith("torch==")))
    _run([bin_dir / "python", "-m", "pip", "install", "-q", "-c", pins,
          *sorted(dist.glob("*.whl"))])

    # run from an empty directory so nothing from the source tree can leak in
    clean_env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    plugins = _run([bin_dir / "robustkit", "plugins"], cwd=tmp_path,
                   env={**clean_env, "COLUMNS": "200"})
    assert "robustkit-noise" in plugins and "3 perturbations" in plugins and "ok" in plugins
    described = _run([bin_dir / "robustkit", "describe", "salt-and-pepper"], cwd=tmp_path,
                     env={**clean_env, "COLUMNS": "200"})
    assert "fraction" in described
    code = "import robustkit_noise; print(robustkit_noise.__file__)"
    where = _run([bin_dir / "python", "-c", code], cwd=tmp_path, env=clean_env)
    assert str(env_dir) in where  # imported from the venv, not from the checkout
