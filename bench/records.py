"""Benchmark: creating leads through the form engine's write path vs a bare Core insert.

    .venv/bin/python bench/records.py [--rows 100000] [--batch 5000] [--url sqlite:///...]

Both paths insert the same rows into identical tables (same columns and indexes) in the same
process, taking turns batch by batch (:func:`take_turns`). The engine path validates and
converts every value with the compiled codecs, takes ids and auto-numbers, and bulk-inserts
the entity rows, their history rows and their outbox events (executemany on SQLite, COPY on
PostgreSQL); the bare path inserts already-converted values with SQLAlchemy's default Core
``insert()`` executemany per batch and nothing else.
A PostgreSQL database is reused between runs: the two bench tables are dropped first.
Prints rows/s of each and their ratio (target: the engine path within 2x of the bare insert).
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from jimu.engines.form.model import AppModel
from jimu.platform import data_versions
from jimu.platform.db import begin_write, create_engine
from jimu.platform.models import Base
from jimu.platform.records import Records, WriteContext

STATUSES = ["new", "contacted", "qualified", "lost"]
LEAD: dict[str, Any] = {
    "kind": "entity",
    "name": "lead",
    "label": {"en": "Lead"},
    "fields": [
        {"name": "name", "type": "text", "required": True, "max_length": 100},
        {"name": "company", "type": "text", "max_length": 200},
        {"name": "email", "type": "email"},
        {"name": "phone", "type": "phone"},
        {
            "name": "status",
            "type": "select",
            "default": "new",
            "options": [{"value": s} for s in STATUSES],
        },
        {"name": "amount", "type": "money", "currency": "CNY", "min": 0},
        {"name": "score", "type": "number", "integer": True, "min": 0, "max": 100},
        {"name": "code", "type": "autonumber", "pattern": "LD-{YYYY}{MM}-{000000}"},
    ],
    "indexes": [{"fields": ["status", "owner_id"]}],
}


def make_rows(n: int) -> list[dict[str, Any]]:
    rng = random.Random(7)
    return [
        {
            "name": f"Lead {i}",
            "company": f"Company {rng.randint(1, 5000)}",
            "email": f"lead{i}@example.com",
            "phone": f"138{rng.randint(0, 99_999_999):08d}",
            "status": rng.choice(STATUSES),
            "amount": f"{rng.randint(0, 10_000_000) / 100:.2f}",
            "score": rng.randint(0, 100),
        }
        for i in range(n)
    ]


def bare_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The same rows as already-converted column values (what the bare insert writes)."""
    now = datetime.now(UTC)
    return [
        {
            **row,
            "phone": "+86" + row["phone"],
            "amount": Decimal(row["amount"]),
            "code": f"LD-{now:%Y%m}-{i + 1:06d}",
            "created_at": now,
            "updated_at": now,
            "created_by": 1,
            "updated_by": 1,
            "owner_id": 1,
            "version": 1,
        }
        for i, row in enumerate(rows)
    ]


def bare_and_engine_paths(
    engine: sa.Engine, rows: list[dict[str, Any]]
) -> tuple[Records, dict[str, Callable[[int, int], None]]]:
    """Fresh ``bare_lead`` and ``bench_lead`` tables and the two ways of writing rows
    ``[first, last)`` of ``rows`` into them: the bare insert and ``Records.bulk_create``."""
    records = Records(AppModel.from_documents("bench", [LEAD]))
    bare = Records(AppModel.from_documents("bare", [LEAD])).table("lead")
    records.runtime.metadata.drop_all(engine)  # a server database may hold an earlier run
    bare.metadata.drop_all(engine)
    records.runtime.metadata.create_all(engine)
    bare.metadata.create_all(engine)
    converted = bare_rows(rows)
    ctx = WriteContext(actor_id=1, source="import")

    def bare_insert(first: int, last: int) -> None:
        with begin_write(engine) as conn:
            conn.execute(sa.insert(bare), converted[first:last])

    def engine_path(first: int, last: int) -> None:
        with begin_write(engine) as conn:
            records.bulk_create(conn, "lead", rows[first:last], ctx)

    return records, {"bare": bare_insert, "engine": engine_path}


def take_turns(
    paths: dict[str, Callable[[int, int], None]], rows: int, batch: int
) -> tuple[dict[str, float], int]:
    """Seconds each path took to write rows ``[first, last)`` of every batch, and how many
    rows those seconds are for.

    The paths take turns batch by batch, so a load that comes and goes on a shared machine
    slows them alike instead of whichever ran while it lasted; each path's first batch is a
    warm-up (statement caches, generated code) and is not counted, unless there is only one.
    """
    seconds = dict.fromkeys(paths, 0.0)
    starts = range(0, rows, batch)
    counted = 0
    for number, first in enumerate(starts):
        last = min(first + batch, rows)
        timed = number > 0 or len(starts) == 1
        counted += last - first if timed else 0
        for name, write in paths.items():
            began = time.perf_counter()
            write(first, last)
            if timed:
                seconds[name] += time.perf_counter() - began
    return seconds, counted


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=5_000)
    parser.add_argument("--url", default="")
    args = parser.parse_args()
    url = args.url or f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.db'}"
    engine = create_engine(url)
    # As on a Platform's engine: each commit raises the data versions of the tables it wrote.
    data_versions.watch(engine)
    Base.metadata.create_all(engine)
    rows = make_rows(args.rows)
    records, paths = bare_and_engine_paths(engine, rows)
    seconds, counted = take_turns(paths, args.rows, args.batch)
    bare_seconds, engine_seconds = seconds["bare"], seconds["engine"]
    with engine.connect() as conn:
        count = conn.execute(sa.select(sa.func.count()).select_from(records.table("lead")))
        assert count.scalar_one() == args.rows
    print(f"database      {engine.dialect.name}")
    print(f"rows          {args.rows} (batches of {args.batch}; the first is a warm-up)")
    print(f"bare insert   {counted / bare_seconds:12,.0f} rows/s  ({bare_seconds:.2f} s)")
    print(f"engine path   {counted / engine_seconds:12,.0f} rows/s  ({engine_seconds:.2f} s)")
    print(f"ratio         {engine_seconds / bare_seconds:12.2f} x  (target <= 2.00)")
    engine.dispose()


if __name__ == "__main__":
    main()
