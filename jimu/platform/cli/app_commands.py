"""``jimu app import PATH``, ``jimu app export APP PATH``, ``jimu app publish APP [--dry-run]``."""

from __future__ import annotations

import argparse
from pathlib import Path

import jimu.platform.metadata_store as store
from jimu.platform.cli.context import open_platform
from jimu.platform.db import IMMEDIATE, begin_write
from jimu.platform.settings import Settings


def register(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    app = commands.add_parser("app", help="apps as folders of JSON documents")
    sub = app.add_subparsers(dest="app_command", required=True)

    imp = sub.add_parser("import", help="import an app folder (and publish it)")
    imp.add_argument("path", type=Path)
    imp.add_argument("--no-publish", action="store_true", help="store the documents as drafts only")
    imp.set_defaults(handler=run_import)

    exp = sub.add_parser("export", help="write an app's published documents to a folder")
    exp.add_argument("app")
    exp.add_argument("path", type=Path)
    exp.set_defaults(handler=run_export)

    pub = sub.add_parser("publish", help="publish an app's drafts (schema changes included)")
    pub.add_argument("app")
    pub.add_argument("--dry-run", action="store_true", help="print the plan and DDL only")
    pub.add_argument("--kind", help="only documents of this kind")
    pub.add_argument("--name", help="only the document with this name")
    pub.set_defaults(handler=run_publish)


def run_import(args: argparse.Namespace, settings: Settings) -> int:
    platform = open_platform(settings)
    try:
        with begin_write(platform.engine) as conn:
            docs = store.import_folder(conn, args.path, publish=not args.no_publish)
        state = "as drafts" if args.no_publish else "and published"
        print(f"imported {len(docs)} documents from {args.path} {state}")
        for doc in docs:
            print(f"  {doc.app}/{doc.kind}/{doc.name} v{doc.version} ({doc.status})")
    finally:
        platform.engine.dispose()
    return 0


def run_export(args: argparse.Namespace, settings: Settings) -> int:
    platform = open_platform(settings)
    try:
        with platform.engine.connect() as conn:
            paths = store.export_folder(conn, args.app, args.path)
        print(f"exported {len(paths)} files of {args.app!r} to {args.path}")
    finally:
        platform.engine.dispose()
    return 0


def run_publish(args: argparse.Namespace, settings: Settings) -> int:
    platform = open_platform(settings)
    try:
        with platform.engine.connect() as conn:
            conn.execution_options(**{IMMEDIATE: True})
            transaction = conn.begin()
            if args.dry_run:
                plan = store.plan_publish(conn, args.app, args.kind, args.name)
                transaction.rollback()
            else:
                plan = store.publish(conn, args.app, args.kind, args.name)
                transaction.commit()
        print_plan(plan.steps, plan.sql, dry_run=args.dry_run)
    finally:
        platform.engine.dispose()
    return 0


def print_plan(steps: list[str], sql: list[str], *, dry_run: bool) -> None:
    if not steps and not sql:
        print("nothing to publish")
        return
    print("would publish:" if dry_run else "published:")
    for step in steps:
        print(f"  - {step}")
    if sql:
        print("-- DDL" + (" (not run)" if dry_run else ""))
        for statement in sql:
            print(statement.rstrip().rstrip(";") + ";")
