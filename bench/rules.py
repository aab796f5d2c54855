"""Benchmark: the rule worker against a hand-written handler doing the same writes.

    .venv/bin/python bench/rules.py [--events 2000] [--latency 200] [--url postgresql://...]

An app with 100 published rules on ``lead`` (each on "created", condition ``bucket == k`` with
20 buckets, so 5 rules match each event; each adds 1 to the lead's score). It prints, in one
run: events per second processed by one worker and by two worker processes (``jimu worker
--drain``), next to a hand-written handler that reads each event and makes the same 5 score
updates with plain SQLAlchemy; then p50/p95 milliseconds from a lead's commit to its rules'
run committed, with an idle in-process worker woken by the commit. A PostgreSQL database is
emptied first (every table dropped).
"""

from __future__ import annotations

import argparse
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from jimu.platform import metadata_store as store
from jimu.platform.db import begin_write
from jimu.platform.migrate import upgrade
from jimu.platform.models import Outbox, RecordHistory, RuleRun, utcnow
from jimu.platform.records import WriteContext
from jimu.platform.rules.worker import RuleWorker, WorkerOptions
from jimu.platform.settings import Settings
from jimu.platform.state import Platform

APP = "bench"
BUCKETS = 20
RULES = 100
OUTBOX: sa.Table = Outbox.__table__  # type: ignore[assignment]
RUNS: sa.Table = RuleRun.__table__  # type: ignore[assignment]
HISTORY: sa.Table = RecordHistory.__table__  # type: ignore[assignment]
LEAD: dict[str, Any] = {
    "kind": "entity",
    "name": "lead",
    "label": {"en": "Lead"},
    "fields": [
        {"name": "name", "type": "text"},
        {"name": "bucket", "type": "number", "integer": True},
        {"name": "score", "type": "number", "integer": True},
    ],
}


def rule(i: int) -> dict[str, Any]:
    return {
        "kind": "rule",
        "name": f"r{i:03d}",
        "entity": "lead",
        "trigger": {"on": "created"},
        "condition": {"==": [{"var": "bucket"}, i % BUCKETS]},
        "actions": [{"type": "add_score", "field": "score", "amount": 1}],
    }


def setup(platform: Platform) -> None:
    app = {"kind": "app", "name": APP, "label": {"en": "Bench"}, "menu": ["lead"]}
    with begin_write(platform.engine) as conn:
        for doc in [app, LEAD, *(rule(i) for i in range(RULES))]:
            store.save_draft(conn, APP, doc["kind"], doc["name"], doc)
        store.publish(conn, APP)


def make_events(platform: Platform, n: int, seed: int) -> None:
    rng = random.Random(seed)
    with platform.engine.connect() as conn:
        records = platform.apps.records(conn, APP)
    rows = [{"name": f"L{i}", "bucket": rng.randrange(BUCKETS), "score": 0} for i in range(n)]
    for start in range(0, n, 1000):
        with begin_write(platform.engine) as conn:
            records.bulk_create(conn, "lead", rows[start : start + 1000], WriteContext(1, "import"))


def pending(platform: Platform) -> int:
    with platform.engine.connect() as conn:
        stmt = sa.select(sa.func.count()).where(OUTBOX.c.processed_at.is_(None))
        return int(conn.execute(stmt).scalar_one())


def hand_written(platform: Platform, audited: bool = False) -> int:
    """The same writes without the engine: each pending event's lead gets +1 per matching
    rule (5 updates), the event is marked; 50 events per transaction. ``audited``: each update
    also writes what the platform writes with every record change (a history row and an
    outbox event, here already marked processed), as an audited hand-written system would."""
    with platform.engine.connect() as conn:
        table = platform.apps.records(conn, APP).table("lead")
    done = 0
    change = 0
    # statements built once, as a careful hand-written handler would
    next_events = (
        sa.select(OUTBOX.c.id, OUTBOX.c.record_id)
        .where(OUTBOX.c.processed_at.is_(None), OUTBOX.c.kind == "created")
        .order_by(OUTBOX.c.id)
        .limit(50)
    )
    bucket_of = sa.select(table.c.bucket).where(table.c.id == sa.bindparam("lead"))
    add_one = (
        sa.update(table)
        .where(table.c.id == sa.bindparam("lead"))
        .values(score=table.c.score + 1, version=table.c.version + 1)
        .returning(table.c.score, table.c.version)
    )
    mark = (
        sa.update(OUTBOX)
        .where(OUTBOX.c.id == sa.bindparam("event"))
        .values(processed_at=sa.func.now())
    )
    while True:
        with begin_write(platform.engine) as conn:
            events = conn.execute(next_events).all()
            if not events:
                return done
            for event_id, record_id in events:
                bucket = conn.execute(bucket_of, {"lead": record_id}).scalar_one()
                for _ in (i for i in range(RULES) if i % BUCKETS == bucket):
                    score, version = conn.execute(add_one, {"lead": record_id}).one()
                    if audited:
                        change += 1
                        audit(conn, record_id, version, score, f"bench-{change}")
                conn.execute(mark, {"event": event_id})
            done += len(events)


#: The audited handler's inserts, built once as a careful hand-written handler would.
INSERT_HISTORY = sa.insert(HISTORY)
INSERT_OUTBOX = sa.insert(OUTBOX)


def audit(conn: sa.Connection, record_id: int, version: int, score: int, change: str) -> None:
    now = utcnow()
    head = {"app": APP, "entity": "lead", "record_id": record_id, "source": "rule"}
    conn.execute(
        INSERT_HISTORY,
        {**head, "version": version, "field": "score", "old_value": score - 1,
         "new_value": score, "actor_id": None, "changed_at": now, "change_id": change},
    )  # fmt: skip
    conn.execute(
        INSERT_OUTBOX,
        {**head, "kind": "updated", "changed_fields": ["score"], "old_values": {"score": score - 1},
         "actor_id": None, "depth": 1, "created_at": now, "processed_at": now},
    )  # fmt: skip


def rate(n: int, seconds: float) -> str:
    return f"{n / seconds:8.0f} events/s"


def measure(platform: Platform, args: argparse.Namespace) -> None:
    make_events(platform, args.events, 1)
    started = time.perf_counter()
    hand = hand_written(platform)
    hand_s = time.perf_counter() - started
    make_events(platform, args.events, 4)
    started = time.perf_counter()
    audited = hand_written(platform, audited=True)
    audited_s = time.perf_counter() - started
    # the hand-written passes marked the events; the engine gets fresh ones
    make_events(platform, args.events, 2)
    worker = RuleWorker(platform, WorkerOptions(batch=50))
    started = time.perf_counter()
    one = worker.drain()
    one_s = time.perf_counter() - started
    print(f"hand-written handler : {rate(hand, hand_s)} ({hand} events)")
    print(f"rule engine, 1 worker: {rate(args.events, one_s)} ({one} events incl. rule writes)")
    print(f"  ratio hand/engine  : {(hand / hand_s) / (args.events / one_s):.2f}x (target <= 2)")
    print(f"hand-written, audited: {rate(audited, audited_s)} (+ history row and outbox event)")
    print(f"  ratio audited/engine: {(audited / audited_s) / (args.events / one_s):.2f}x")
    if platform.engine.dialect.name != "postgresql":
        print("rule engine, 2 procs : n/a (SQLite runs one worker process)")
        return
    make_events(platform, args.events, 3)
    url, data = platform.settings.database_url, str(platform.settings.data_dir)
    command = [sys.executable, "-m", "jimu.cli", "--database-url", url, "--data-dir", data]
    started = time.perf_counter()
    procs = [subprocess.Popen([*command, "worker", "--drain"], stdout=subprocess.DEVNULL)
             for _ in range(2)]  # fmt: skip
    for proc in procs:
        proc.wait()
    while pending(platform):  # a process that found nothing left early
        RuleWorker(platform).drain()
    two_s = time.perf_counter() - started
    print(f"rule engine, 2 procs : {rate(args.events, two_s)} "
          f"({(args.events / two_s) / (args.events / one_s):.2f}x one worker)")  # fmt: skip


def latency(platform: Platform, n: int) -> None:
    worker = RuleWorker(platform, WorkerOptions(poll_seconds=60))
    worker.start()
    worker.ready.wait(10)
    time.sleep(0.2)
    with platform.engine.connect() as conn:
        records = platform.apps.records(conn, APP)
    waits: list[float] = []
    try:
        for i in range(n):
            with begin_write(platform.engine) as conn:
                values = {"name": "x", "bucket": i % BUCKETS, "score": 0}
                lead = records.create(conn, "lead", values, WriteContext(1, "api"))
            committed = time.perf_counter()
            query = sa.select(sa.func.count()).where(RUNS.c.record_id == lead["id"],
                                                     RUNS.c.app == APP)  # fmt: skip
            while True:
                with platform.engine.connect() as conn:
                    if conn.execute(query).scalar_one() >= RULES // BUCKETS:
                        break
                time.sleep(0.0005)
            waits.append((time.perf_counter() - committed) * 1000)
    finally:
        worker.stop()
    waits.sort()
    p95 = waits[max(0, int(len(waits) * 0.95) - 1)]
    print(f"commit -> rules committed, idle worker: p50 {statistics.median(waits):.1f} ms, "
          f"p95 {p95:.1f} ms (target p95 <= 20 ms; {n} leads)")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=2000)
    parser.add_argument("--latency", type=int, default=200)
    parser.add_argument("--url", default="")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="jimu-bench-rules-"))
    url = args.url or f"sqlite:///{folder / 'bench.db'}"
    settings = Settings(data_dir=folder, database_url=url, secret_key="bench")
    platform = Platform.from_settings(settings)
    if platform.engine.dialect.name == "postgresql":
        with platform.engine.begin() as conn:
            conn.exec_driver_sql("DROP SCHEMA public CASCADE; CREATE SCHEMA public")
    upgrade(platform.engine)
    setup(platform)
    print(f"{platform.engine.dialect.name}: {RULES} rules on lead, {RULES // BUCKETS} match each")
    measure(platform, args)
    latency(platform, args.latency)
    platform.engine.dispose()


if __name__ == "__main__":
    main()
