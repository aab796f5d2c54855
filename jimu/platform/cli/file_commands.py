"""``jimu files gc [--dry-run] [--grace-hours H]``: delete attachment files no record holds."""

from __future__ import annotations

import argparse

from jimu.platform.cli.context import open_platform
from jimu.platform.db import begin_write
from jimu.platform.records.file_gc import DEFAULT_GRACE_HOURS, collect_garbage
from jimu.platform.settings import Settings


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    files = commands.add_parser("files", help="attachment files in the data directory")
    sub = files.add_subparsers(dest="files_command", required=True)
    gc = sub.add_parser("gc", help="delete attachment files that no record refers to")
    gc.add_argument("--dry-run", action="store_true", help="only list what would be deleted")
    gc.add_argument(
        "--grace-hours",
        type=float,
        default=DEFAULT_GRACE_HOURS,
        help=f"keep files younger than this (default {DEFAULT_GRACE_HOURS:g})",
    )
    gc.set_defaults(handler=run_gc)


def run_gc(args: argparse.Namespace, settings: Settings) -> int:
    platform = open_platform(settings)
    try:
        with begin_write(platform.engine) as conn:
            report = collect_garbage(
                conn, settings.data_dir, grace_hours=args.grace_hours, dry_run=args.dry_run
            )
    finally:
        platform.engine.dispose()
    verb = "would delete" if args.dry_run else "deleted"
    for key in report.deleted:
        print(f"  {verb} {key}")
    print(
        f"{verb} {len(report.deleted)} unreferenced files ({report.freed_bytes} bytes); "
        f"kept {report.kept}"
    )
    return 0
