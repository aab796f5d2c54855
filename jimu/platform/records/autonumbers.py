"""Gap-free auto-number counters (``jimu_autonumber``), taken in the record's transaction.

A batch takes all its numbers with one increment: the counter row is created if missing
(``INSERT ... ON CONFLICT DO NOTHING``) and then raised by ``n`` with ``UPDATE ... RETURNING``.
The UPDATE locks the row until the transaction ends (PostgreSQL row lock; SQLite has one
writer), so concurrent inserts get distinct numbers, and a rolled-back insert gives its numbers
back: no gaps, no duplicates.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite

from jimu.platform.models import Autonumber

COUNTERS: sa.Table = Autonumber.__table__  # type: ignore[assignment]


def take(conn: sa.Connection, app: str, entity: str, field: str, period: str, n: int) -> int:
    """Reserve ``n`` consecutive numbers; returns the first."""
    key = {"app": app, "entity": entity, "field": field, "period": period}
    insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    conn.execute(insert(COUNTERS).values(**key, next_value=1).on_conflict_do_nothing())
    c = COUNTERS.c
    stmt = (
        sa.update(COUNTERS)
        .where(c.app == app, c.entity == entity, c.field == field, c.period == period)
        .values(next_value=c.next_value + n)
        .returning(c.next_value)
    )
    after = conn.execute(stmt).scalar_one()
    return int(after) - n


def peek(conn: sa.Connection, app: str, entity: str, field: str, period: str) -> int:
    """The number the next record of that period would take (nothing is reserved)."""
    c = COUNTERS.c
    stmt = sa.select(c.next_value).where(
        c.app == app, c.entity == entity, c.field == field, c.period == period
    )
    found = conn.execute(stmt).scalar_one_or_none()
    return 1 if found is None else int(found)
