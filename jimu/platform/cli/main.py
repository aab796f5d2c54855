"""The ``jimu`` command line: ``jimu --help`` lists the commands."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

from jimu import __version__
from jimu.errors import JimuError
from jimu.platform.cli import db_commands, serve_command, user_commands
from jimu.platform.cli.context import report_error, settings_from


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="jimu", description="Jimu (积木): a self-hostable no-code platform."
    )
    parser.add_argument("--version", action="version", version=f"jimu {__version__}")
    parser.add_argument("--data-dir", type=Path, help="data directory (JIMU_DATA_DIR)")
    parser.add_argument("--database-url", help="database URL (JIMU_DATABASE_URL)")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in _command_modules():
        module.register(commands)
    return parser


def _command_modules() -> list[ModuleType]:
    from jimu.platform.cli import app_commands, demo_command, file_commands

    return [serve_command, db_commands, app_commands, user_commands, demo_command, file_commands]


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.handler(args, settings_from(args)))
    except JimuError as error:
        report_error(error)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
