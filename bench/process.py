"""Benchmark: process instances persisted per second, steps per second, bytes per step.

    .venv/bin/python bench/process.py [--instances 5000] [--batch 100] [--url postgresql://...]

An app with one flow (start → approval → end). It prints: instances started and persisted per
second (``--batch`` starts per transaction: instance row, token row, task row, step row), task
completions per second (one step each, in batches), and the engine's delta per step in bytes
(the JSON of what a step writes; the target is ≤ 1 KB). A PostgreSQL database given by --url
is emptied first (every table dropped).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from jimu.engines.process import load_flow, step
from jimu.platform import metadata_store as store
from jimu.platform.db import begin_write
from jimu.platform.migrate import upgrade
from jimu.platform.models import utcnow
from jimu.platform.process.instances import TASKS, complete_task, start_instance
from jimu.platform.settings import Settings
from jimu.platform.state import Platform

APP = "bench"
DOCS: list[dict[str, Any]] = [
    {"kind": "app", "name": APP, "label": {"en": "Bench"}, "menu": ["lead"]},
    {"kind": "entity", "name": "lead", "label": {"en": "Lead"},
     "fields": [{"name": "name", "type": "text"}]},
    {"kind": "flow", "name": "approve", "nodes": [
        {"id": "s", "type": "start"}, {"id": "a", "type": "approval"},
        {"id": "ok", "type": "end"}, {"id": "no", "type": "end", "result": "reject"}],
     "edges": [{"from": "s", "to": "a"},
               {"from": "a", "to": "ok", "condition": {"==": [{"var": "outcome"}, "approve"]}},
               {"from": "a", "to": "no", "default": True}]},
]  # fmt: skip


def empty_postgres(url: str) -> None:
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("DROP SCHEMA public CASCADE"))
        conn.execute(sa.text("CREATE SCHEMA public"))
    engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--instances", type=int, default=5000)
    parser.add_argument("--batch", type=int, default=100)
    parser.add_argument("--url", default=None)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="jimu-bench-process-"))
    url = args.url or f"sqlite:///{folder / 'bench.db'}"
    if args.url:
        empty_postgres(url)
    platform = Platform.from_settings(Settings(data_dir=folder, database_url=url, secret_key="b"))
    upgrade(platform.engine)
    with begin_write(platform.engine) as conn:
        for doc in DOCS:
            store.save_draft(conn, APP, doc["kind"], doc["name"], doc)
        store.publish(conn, APP)

    started = time.perf_counter()
    for first in range(0, args.instances, args.batch):
        with begin_write(platform.engine) as conn:
            for _ in range(min(args.batch, args.instances - first)):
                start_instance(conn, None, APP, "approve", utcnow())
    start_seconds = time.perf_counter() - started

    with platform.engine.connect() as conn:
        task_ids = [
            int(t) for t in conn.execute(sa.select(TASKS.c.id).order_by(TASKS.c.id)).scalars()
        ]
    started = time.perf_counter()
    for first in range(0, len(task_ids), args.batch):
        with begin_write(platform.engine) as conn:
            for task_id in task_ids[first : first + args.batch]:
                complete_task(conn, None, task_id, utcnow(), outcome="approve")
    step_seconds = time.perf_counter() - started

    flow = load_flow(DOCS[2])
    sizes = []
    for _ in range(50):
        begun = step(flow, None, {"type": "start"})
        sizes.append(len(json.dumps(begun.delta)))
        done = step(flow, begun.state, {"type": "task_done", "token": "t1", "outcome": "approve"})
        sizes.append(len(json.dumps(done.delta)))
    dialect = platform.engine.dialect.name
    print(f"process bench on {dialect}: {args.instances} instances, batches of {args.batch}")
    print(f"  instances started and persisted: {args.instances / start_seconds:,.0f}/s")
    print(f"  task completions (one step each): {len(task_ids) / step_seconds:,.0f}/s")
    print(f"  engine delta per step: median {statistics.median(sizes):.0f} B, max {max(sizes)} B")
    platform.engine.dispose()


if __name__ == "__main__":
    sys.exit(main())
