"""Cold start of the CLI: `robustkit plugins` next to `python -c "import torch"`.

Run: python benchmarks/cold_start.py [--repeats 15]
Each command runs in a fresh interpreter; we report the median and the minimum wall time.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import time

COMMANDS = {
    "python -c pass (interpreter floor)": [sys.executable, "-c", "pass"],
    "robustkit plugins": [sys.executable, "-m", "robustkit.cli", "plugins"],
    "robustkit list": [sys.executable, "-m", "robustkit.cli", "list"],
    'python -c "import torch"': [sys.executable, "-c", "import torch"],
}


def measure(cmd: list[str], repeats: int) -> list[float]:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        times.append(time.perf_counter() - start)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=15)
    args = parser.parse_args()
    if shutil.which("robustkit") is None:
        print("note: the robustkit script is not on PATH; timing `python -m robustkit.cli`")
    results = {name: measure(cmd, args.repeats) for name, cmd in COMMANDS.items()}
    torch_median = statistics.median(results['python -c "import torch"'])
    print("| command | median (s) | min (s) | vs import torch |\n|---|---|---|---|")
    for name, times in results.items():
        med = statistics.median(times)
        print(f"| `{name}` | {med:.3f} | {min(times):.3f} | {med / torch_median:.2f}x |")


if __name__ == "__main__":
    main()
