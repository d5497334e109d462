"""A model trained outside robustkit, for tests and benchmarks of the bring-your-own-model
paths: a small CNN written to an importable module (so a state dict's ``factory`` can name
it) and trained in plain PyTorch on the 8x8 digits in a few seconds."""

from __future__ import annotations

import importlib
import sys
import textwrap
from pathlib import Path
from typing import Any

SMALL_CNN = textwrap.dedent("""
    import torch
    from torch import nn

    class SmallCNN(nn.Module):
        def __init__(self, width: int = 8, classes: int = 10):
            super().__init__()
            self.conv = nn.Conv2d(1, width, 3, padding=1)
            self.head = nn.Linear(width * 16, classes)

        def forward(self, x):
            x = torch.relu(self.conv(x))
            x = nn.functional.max_pool2d(x, 2)
            return self.head(x.flatten(1))
""")


def train_small_cnn(folder: str | Path, module: str = "mynet", *, seed: int = 0,
                    epochs: int = 3) -> tuple[Any, Any, Any]:
    """Write ``folder/module.py`` (class ``SmallCNN``), put ``folder`` on ``sys.path``, train
    the net on the first 1400 digits; return ``(net in eval mode, x_test, y_test)``."""
    import torch
    from sklearn.datasets import load_digits

    folder = Path(folder)
    (folder / f"{module}.py").write_text(SMALL_CNN)
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))
    net_module = importlib.import_module(module)
    digits = load_digits()
    x = torch.tensor(digits.images / 16.0, dtype=torch.float32).unsqueeze(1)
    y = torch.tensor(digits.target)
    torch.manual_seed(seed)
    net = net_module.SmallCNN()
    opt = torch.optim.Adam(net.parameters(), lr=1e-2)
    for _ in range(epochs):
        for start in range(0, 1400, 100):
            opt.zero_grad()
            loss = torch.nn.functional.cross_entropy(net(x[start:start + 100]),
                                                     y[start:start + 100])
            loss.backward()
            opt.step()
    return net.eval(), x[1400:], y[1400:]
