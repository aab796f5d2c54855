"""The ``jimu`` command."""

from jimu.platform.cli.main import main

__all__ = ["main"]
