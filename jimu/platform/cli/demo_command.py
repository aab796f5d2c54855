"""``jimu demo [--no-serve]``: the marketing app with sample data, then serve it."""

from __future__ import annotations

import argparse
import unicodedata

from jimu.platform.cli.context import open_platform
from jimu.platform.cli.serve_command import add_address_options, serve
from jimu.platform.demo import DemoReport, run_demo
from jimu.platform.settings import Settings


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    demo = commands.add_parser(
        "demo", help="set up the marketing demo (idempotent) and serve it on 127.0.0.1:8000"
    )
    add_address_options(demo)
    demo.add_argument("--no-serve", action="store_true", help="set up only, do not serve")
    demo.set_defaults(handler=run_demo_command)


def display_width(text: str) -> int:
    """Columns ``text`` takes in a terminal (Chinese characters take two)."""
    return sum(2 if unicodedata.east_asian_width(c) in ("W", "F") else 1 for c in text)


def print_report(report: DemoReport, settings: Settings, host: str, port: int) -> None:
    print(f"database: {settings.database_url}")
    state = "imported and published" if report.imported_app else "present"
    print(f"app {report.app!r}: {state}")
    for entity, count in report.loaded.items():
        print(f"  loaded {count} {entity} records")
    if report.skipped:
        print(f"  sample data already present for: {', '.join(report.skipped)}")
    if report.flow_instances:
        print(f"  started {report.flow_instances} contract approvals (see /tasks)")
    print()
    print(f"  Open http://{host}:{port}/")
    print(f"  Sign in as {report.admin_username!r} with password {report.admin_password!r}")
    if report.logins:
        print("  Try each role with the same password:")
        width = max(display_width(login.label) for login in report.logins)
        for login in report.logins:
            padding = " " * (width - display_width(login.label))
            print(f"    {login.label}{padding}  {login.username}")
        others = [u for u in report.team if u not in {x.username for x in report.logins}]
        if others:
            print(f"  (also {', '.join(others)}: sales reps of other regions)")
    elif report.team:
        print(f"  (the sales team {', '.join(report.team)} has the same password)")
    print()


def run_demo_command(args: argparse.Namespace, settings: Settings) -> int:
    platform = open_platform(settings)
    try:
        report = run_demo(platform)
    finally:
        platform.engine.dispose()
    host, port = args.host or settings.host, args.port or settings.port
    print_report(report, settings, host, port)
    if not args.no_serve:
        serve(settings, host, port, args.app_factory)
    return 0
