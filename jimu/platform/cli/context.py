"""What every command gets: settings, a migrated platform, and error reporting."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any, TextIO

from jimu.errors import JimuError
from jimu.platform.migrate import upgrade
from jimu.platform.settings import Settings
from jimu.platform.state import Platform

Command = Callable[[argparse.Namespace, Settings], int]


def settings_from(args: argparse.Namespace) -> Settings:
    overrides: dict[str, Any] = {}
    if getattr(args, "data_dir", None):
        overrides["data_dir"] = args.data_dir
    if getattr(args, "database_url", None):
        overrides["database_url"] = args.database_url
    return Settings(**overrides)


def open_platform(settings: Settings, *, migrate: bool = True) -> Platform:
    """The platform of ``settings``, with its tables brought up to date first."""
    platform = Platform.from_settings(settings)
    if migrate:
        upgrade(platform.engine)
    return platform


def report_error(error: JimuError, stream: TextIO | None = None) -> None:
    stream = stream or sys.stderr
    print(f"error: {error.message}", file=stream)
    for item in error.errors:
        print(f"  {item.pointer or '/'}: {item.message}", file=stream)
