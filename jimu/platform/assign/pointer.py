"""A pool's round-robin pointer, read and advanced under a row lock in the run's transaction.

On PostgreSQL the pointer row is created if missing (``INSERT ... ON CONFLICT DO NOTHING``),
then locked with ``SELECT ... FOR UPDATE``: a second run assigning from the same pool waits
until the first commits and then reads its pointer, so two records arriving together never
both go to the same next user. On SQLite the worker's transaction is the only writer.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from jimu.platform.models import AssignmentPointer, utcnow

POINTERS: sa.Table = AssignmentPointer.__table__  # type: ignore[assignment]


@dataclass(frozen=True)
class Pointer:
    """The pointer as it was when locked: the user last assigned and how many so far."""

    last_user_id: int | None
    assigned: int


def lock(conn: sa.Connection, app: str, key: str) -> Pointer:
    """The pool's pointer, locked until the transaction ends (created when missing)."""
    values = {"app": app, "pool_key": key, "last_user_id": None, "assigned": 0,
              "updated_at": utcnow()}  # fmt: skip
    insert = pg_insert if conn.dialect.name == "postgresql" else sqlite_insert
    conn.execute(insert(POINTERS).values(values).on_conflict_do_nothing())
    row = conn.execute(
        sa.select(POINTERS.c.last_user_id, POINTERS.c.assigned)
        .where(POINTERS.c.app == app, POINTERS.c.pool_key == key)
        .with_for_update()
    ).one()
    return Pointer(row.last_user_id, int(row.assigned))


def advance(conn: sa.Connection, app: str, key: str, pointer: Pointer, user_id: int) -> None:
    """Point at ``user_id``, the user just assigned (the row is locked by :func:`lock`)."""
    conn.execute(
        POINTERS.update()
        .where(POINTERS.c.app == app, POINTERS.c.pool_key == key)
        .values(last_user_id=user_id, assigned=pointer.assigned + 1, updated_at=utcnow())
    )


def next_after(eligible: list[int], last: int | None) -> int:
    """The first of ``eligible`` (sorted ids) after ``last``, wrapping round to the first."""
    return next((user for user in eligible if last is None or user > last), eligible[0])
