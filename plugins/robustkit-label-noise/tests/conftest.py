from __future__ import annotations

import sys
from pathlib import Path

# the tests share label_noise_helpers.py (the benchmarks import it too)
sys.path.insert(0, str(Path(__file__).parent))
