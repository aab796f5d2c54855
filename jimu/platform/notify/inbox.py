"""The in-app inbox: notifications written in the caller's transaction (no delivery needed)."""

from __future__ import annotations

import sqlalchemy as sa

from jimu.errors import FieldError, NotFound, ValidationFailed
from jimu.platform.models import Notification, utcnow

TABLE: sa.Table = Notification.__table__  # type: ignore[assignment]
MAX_TITLE = 300


def post_inbox(
    conn: sa.Connection,
    user_id: int,
    *,
    title: str,
    body: str = "",
    app: str | None = None,
    entity: str | None = None,
    record_id: int | None = None,
    link: str | None = None,
) -> int:
    """Put a notification in ``user_id``'s inbox, about a record when ``app``, ``entity`` and
    ``record_id`` are given (the inbox links to it, or to ``link`` when given: a process task's
    page); its id."""
    title = title.strip()
    if not title or len(title) > MAX_TITLE:
        raise ValidationFailed(
            "A notification needs a title.",
            [FieldError("/title", f"Give 1 to {MAX_TITLE} characters.", code="length")],
        )
    about = (app, entity, record_id)
    if any(part is not None for part in about) and any(part is None for part in about):
        raise ValidationFailed(
            "A notification about a record names its app, entity and id.",
            [FieldError("/record_id", "Give app, entity and record_id together.")],
        )
    statement = TABLE.insert().values(
        user_id=user_id,
        title=title,
        body=body,
        app=app,
        entity=entity,
        record_id=record_id,
        link=link,
        created_at=utcnow(),
    )
    return int(conn.execute(statement.returning(TABLE.c.id)).scalar_one())


def unread_count(conn: sa.Connection, user_id: int) -> int:
    query = sa.select(sa.func.count()).where(TABLE.c.user_id == user_id, TABLE.c.read_at.is_(None))
    return int(conn.execute(query).scalar_one())


def list_notifications(
    conn: sa.Connection, user_id: int, *, unread_only: bool = False, limit: int = 50
) -> list[sa.RowMapping]:
    """``user_id``'s notifications, newest first."""
    query = sa.select(TABLE).where(TABLE.c.user_id == user_id)
    if unread_only:
        query = query.where(TABLE.c.read_at.is_(None))
    query = query.order_by(TABLE.c.id.desc()).limit(limit)
    return list(conn.execute(query).mappings())


def mark_read(conn: sa.Connection, user_id: int, notification_id: int) -> sa.RowMapping:
    """Mark one of ``user_id``'s notifications read (again: no change); the notification."""
    mine = (TABLE.c.id == notification_id) & (TABLE.c.user_id == user_id)
    conn.execute(TABLE.update().where(mine, TABLE.c.read_at.is_(None)).values(read_at=utcnow()))
    row = conn.execute(sa.select(TABLE).where(mine)).mappings().first()
    if row is None:
        raise NotFound(f"There is no notification {notification_id} in your inbox.")
    return row


def mark_all_read(conn: sa.Connection, user_id: int) -> int:
    """Mark every unread notification of ``user_id`` read; how many were."""
    unread = (TABLE.c.user_id == user_id) & TABLE.c.read_at.is_(None)
    return int(conn.execute(TABLE.update().where(unread).values(read_at=utcnow())).rowcount)
