"""Helpers shared by the list benchmarks (bench/list_page.py, bench/scopes.py).

``fill_leads`` loads many leads fast through a bare Core insert (loading speed is
bench/records.py's subject); ``median_ms`` and ``captured_sql`` time a call and catch the
statement it sends; ``explain`` prints the database's plan of a captured statement.
"""

from __future__ import annotations

import random
import statistics
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import sqlalchemy as sa

from jimu.platform.db import begin_write

STATUSES = ["new", "contacted", "qualified", "lost"]
#: The lead of the list benchmarks: an index for the common "status, newest first" page.
LEAD: dict[str, Any] = {
    "kind": "entity",
    "name": "lead",
    "label": {"en": "Lead"},
    "fields": [
        {"name": "name", "type": "text", "required": True, "max_length": 100},
        {"name": "company", "type": "text", "max_length": 200},
        {"name": "status", "type": "select", "options": [{"value": s} for s in STATUSES]},
        {"name": "amount", "type": "money", "currency": "CNY"},
        {"name": "score", "type": "number", "integer": True},
    ],
    "indexes": [{"fields": ["status", "created_at"]}],
}


def fill_leads(
    engine: sa.Engine, table: sa.Table, rows: int, owners: Sequence[int] = (1,), seed: int = 11
) -> None:
    """``rows`` leads with random status, score and creation time over a year, owned by a
    random one of ``owners``; then ANALYZE, so the planner knows the table."""
    rng = random.Random(seed)
    start = datetime(2025, 11, 1, tzinfo=UTC)
    batch = 20_000
    for first in range(0, rows, batch):
        chunk = []
        for i in range(first, min(first + batch, rows)):
            at = start + timedelta(seconds=rng.randint(0, 365 * 86_400))
            chunk.append(
                {
                    "id": i + 1,
                    "name": f"Lead {i}",
                    "company": f"Company {rng.randint(1, 5000)}",
                    "status": rng.choice(STATUSES),
                    "amount": Decimal(rng.randint(0, 10_000_000)) / 100,
                    "score": rng.randint(0, 100),
                    "created_at": at,
                    "updated_at": at,
                    "created_by": 1,
                    "updated_by": 1,
                    # one owner: no draw, so a single-owner fill is the same data as before
                    "owner_id": owners[0] if len(owners) == 1 else rng.choice(owners),
                    "version": 1,
                }
            )
        with begin_write(engine) as conn:
            conn.execute(sa.insert(table), chunk)
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.exec_driver_sql(f"ANALYZE {table.name}")
        else:
            conn.exec_driver_sql("ANALYZE")
    if engine.dialect.name == "postgresql":
        # Set the visibility map, as autovacuum would soon after a bulk load: without it an
        # index-only count visits the table pages too.
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.exec_driver_sql(f"VACUUM {table.name}")


def captured_sql(
    engine: sa.Engine, conn: sa.Connection, run: Callable[[], object]
) -> tuple[str, Any]:
    """The last statement ``run`` sends to the database, with its parameters."""
    return captured_statements(engine, run)[-1]


def captured_statements(engine: sa.Engine, run: Callable[[], object]) -> list[tuple[str, Any]]:
    """Every statement ``run`` sends to the database, with its parameters."""
    seen: list[tuple[str, Any]] = []

    def grab(*args: Any) -> None:
        seen.append((args[2], args[3]))  # (conn, cursor, statement, parameters, ...)

    sa.event.listen(engine, "before_cursor_execute", grab)
    try:
        run()
    finally:
        sa.event.remove(engine, "before_cursor_execute", grab)
    return seen


def median_ms(run: Callable[[], object], repeat: int) -> float:
    run()  # warm caches and compiled statements
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        samples.append(time.perf_counter() - start)
    return statistics.median(samples) * 1000


def paired_median_ms(
    ours: Callable[[], object], theirs: Callable[[], object], repeat: int
) -> tuple[float, float]:
    """Medians of ``ours`` and ``theirs`` timed alternately, so both see the same load (on a
    shared machine, timing one block after the other measures the load's drift too)."""
    ours()
    theirs()
    samples: tuple[list[float], list[float]] = ([], [])
    for _ in range(repeat):
        for run, into in ((ours, samples[0]), (theirs, samples[1])):
            start = time.perf_counter()
            run()
            into.append(time.perf_counter() - start)
    return statistics.median(samples[0]) * 1000, statistics.median(samples[1]) * 1000


def explain(conn: sa.Connection, statement: str, parameters: Any, analyze: bool = False) -> str:
    """The database's plan of ``statement`` (PostgreSQL: with ``analyze``, run and timed)."""
    if conn.dialect.name == "postgresql":
        prefix = "EXPLAIN (ANALYZE, BUFFERS) " if analyze else "EXPLAIN "
        lines = [r[0] for r in conn.exec_driver_sql(prefix + statement, parameters)]
    else:
        rows = conn.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters).all()
        depth = {0: 0}
        lines = []
        for node, parent, _, detail in rows:
            depth[node] = depth.get(parent, 0) + 1
            lines.append("  " * (depth[node] - 1) + str(detail))
    return "\n".join(lines)
