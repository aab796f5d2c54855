"""The ``jimu`` command: the platform's commands, serving the whole app (API and pages)."""

from __future__ import annotations

import sys
from collections.abc import Sequence

from fastapi import FastAPI

from jimu.app import create_app
from jimu.platform.cli.main import main as platform_main
from jimu.platform.state import Platform


def whole_app(platform: Platform) -> FastAPI:
    return create_app(platform=platform)


def main(argv: Sequence[str] | None = None) -> int:
    return platform_main(argv, app_factory=whole_app)


if __name__ == "__main__":
    sys.exit(main())
