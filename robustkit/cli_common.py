"""What every ``robustkit`` sub-command module shares: the console and the ``--store`` option."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from robustkit.config import DEFAULT_STORE


def console() -> Any:
    """A rich console (rich imported on first use, so that listing commands stay fast)."""
    from rich.console import Console

    return Console()


store_option = click.option(
    "--store", type=click.Path(dir_okay=False, path_type=Path), default=None,
    help=f"results database [default: {DEFAULT_STORE}]",
)
