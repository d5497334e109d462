"""Lets the test modules import the shared helpers module beside them."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
