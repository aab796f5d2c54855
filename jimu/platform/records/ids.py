"""Taking primary keys before an insert, so a batch is one plain bulk insert (no RETURNING).

PostgreSQL: ``nextval`` of the table's sequence, ``n`` times in one query (one array back).
SQLite: the next ``n`` integers after the largest id; the transaction holds SQLite's single
write lock (or fails to get it), so no other writer can take them in between.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import sqlalchemy as sa


def allocate_ids(conn: sa.Connection, table: sa.Table, n: int) -> list[int]:
    if n <= 0:
        return []
    if conn.dialect.name == "postgresql":
        stmt = sa.text(
            "SELECT array_agg(nextval(pg_get_serial_sequence(:table, 'id')))"
            " FROM generate_series(1, :n)"
        )
        ids = conn.execute(stmt, {"table": table.name, "n": n}).scalar_one()
        return sorted(int(v) for v in ids)
    top = conn.execute(_largest_id(table)).scalar_one()
    return list(range(int(top) + 1, int(top) + n + 1))


@lru_cache(maxsize=512)
def _largest_id(table: sa.Table) -> sa.Select[Any]:
    """Built once per table: SQLAlchemy adapts the cached result columns of a statement built
    anew at several times the cost of running it, and this runs under SQLite's write lock."""
    return sa.select(sa.func.coalesce(sa.func.max(table.c.id), 0).label("top"))
