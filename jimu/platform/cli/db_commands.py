"""``jimu db upgrade`` and ``jimu db current``."""

from __future__ import annotations

import argparse

from jimu.platform.db import create_engine
from jimu.platform.migrate import current_revision, head_revision, upgrade
from jimu.platform.settings import Settings


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    db = commands.add_parser("db", help="the platform's own tables")
    sub = db.add_subparsers(dest="db_command", required=True)
    up = sub.add_parser("upgrade", help="create or upgrade the platform tables")
    up.add_argument("--revision", default="head", help="target revision (default: head)")
    up.set_defaults(handler=run_upgrade)
    cur = sub.add_parser("current", help="print the database's revision")
    cur.set_defaults(handler=run_current)


def run_upgrade(args: argparse.Namespace, settings: Settings) -> int:
    engine = create_engine(settings.database_url)
    try:
        upgrade(engine, args.revision)
        print(f"database at revision {current_revision(engine)}")
    finally:
        engine.dispose()
    return 0


def run_current(args: argparse.Namespace, settings: Settings) -> int:
    engine = create_engine(settings.database_url)
    try:
        current = current_revision(engine)
        head = head_revision()
        state = "up to date" if current == head else f"head is {head}"
        print(f"{current or '(empty)'} ({state})")
    finally:
        engine.dispose()
    return 0
