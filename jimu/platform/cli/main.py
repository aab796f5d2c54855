"""The platform's command line: ``jimu --help`` lists the commands.

``main(argv, app_factory)`` runs a command; ``serve`` and ``demo`` serve what ``app_factory``
builds (the ``jimu`` command, :mod:`jimu.cli`, passes the whole app; the default is the API).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType

from jimu import __version__
from jimu.errors import JimuError
from jimu.platform.cli import db_commands, serve_command, user_commands, worker_command
from jimu.platform.cli.context import report_error, settings_from
from jimu.platform.cli.serve_command import AppFactory, api_only


def build_parser(app_factory: AppFactory = api_only) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="jimu", description="Jimu (积木): a self-hostable no-code platform."
    )
    parser.add_argument("--version", action="version", version=f"jimu {__version__}")
    parser.add_argument("--data-dir", type=Path, help="data directory (JIMU_DATA_DIR)")
    parser.add_argument("--database-url", help="database URL (JIMU_DATABASE_URL)")
    parser.set_defaults(app_factory=app_factory)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for module in _command_modules():
        module.register(commands)
    return parser


def _command_modules() -> list[ModuleType]:
    from jimu.platform.cli import app_commands, demo_command, file_commands

    return [
        serve_command,
        worker_command,
        db_commands,
        app_commands,
        user_commands,
        demo_command,
        file_commands,
    ]


def main(argv: Sequence[str] | None = None, app_factory: AppFactory = api_only) -> int:
    args = build_parser(app_factory).parse_args(argv)
    try:
        return int(args.handler(args, settings_from(args)))
    except JimuError as error:
        report_error(error)
        return 1
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    sys.exit(main())
