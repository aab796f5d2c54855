"""Admins' view of the delivery table: list deliveries (the dead letters first of all) and
send a dead one again."""

from __future__ import annotations

import sqlalchemy as sa

from jimu.errors import Conflict, NotFound
from jimu.platform.models import Delivery, utcnow
from jimu.platform.notify import wakeup

TABLE: sa.Table = Delivery.__table__  # type: ignore[assignment]
STATUSES = ("pending", "sending", "sent", "dead")


def list_deliveries(
    conn: sa.Connection, *, status: str | None = None, limit: int = 100
) -> list[sa.RowMapping]:
    query = sa.select(TABLE)
    if status is not None:
        query = query.where(TABLE.c.status == status)
    return list(conn.execute(query.order_by(TABLE.c.id.desc()).limit(limit)).mappings())


def get_delivery(conn: sa.Connection, delivery_id: int) -> sa.RowMapping:
    row = conn.execute(sa.select(TABLE).where(TABLE.c.id == delivery_id)).mappings().first()
    if row is None:
        raise NotFound(f"There is no delivery {delivery_id}.")
    return row


def retry_dead(conn: sa.Connection, delivery_id: int) -> None:
    """Make dead delivery ``delivery_id`` due now with a fresh set of attempts. A delivery
    that was sent, or is still being tried, is refused (409): it would be sent twice."""
    status = conn.execute(sa.select(TABLE.c.status).where(TABLE.c.id == delivery_id)).scalar()
    if status is None:
        raise NotFound(f"There is no delivery {delivery_id}.")
    if status != "dead":
        raise Conflict(f"Delivery {delivery_id} is {status}; only a dead delivery is retried.")
    conn.execute(
        TABLE.update()
        .where(TABLE.c.id == delivery_id, TABLE.c.status == "dead")
        .values(
            status="pending",
            max_attempts=TABLE.c.attempts + TABLE.c.max_attempts,
            next_attempt_at=utcnow(),
        )
    )
    wakeup.mark(conn)
