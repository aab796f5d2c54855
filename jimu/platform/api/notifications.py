"""``/api/notifications``: the signed-in user's inbox; ``/api/users/me/away``: their away dates."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from pydantic import BaseModel, BeforeValidator, Field

from jimu.engines.form.sqltypes import MAX_ID
from jimu.platform.api.params import StrictBody
from jimu.platform.auth.dependencies import CurrentUser
from jimu.platform.dependencies import Db
from jimu.platform.notify import inbox
from jimu.platform.notify.away import check_away_dates

router = APIRouter(tags=["notifications"])
NotificationId = Annotated[
    int, Path(description="The id of the notification (1 to 2^63 - 1)", ge=1, le=MAX_ID)
]


class NotificationOut(BaseModel):
    id: int
    title: str
    body: str
    app: str | None
    entity: str | None
    record_id: int | None
    link: str | None = Field(
        description="Where opening it goes: its own link (a process task's approval page) or "
        "the record's page, when it is about a record."
    )
    created_at: datetime
    read_at: datetime | None

    @classmethod
    def of(cls, row: Any) -> NotificationOut:
        link = row.get("link")
        if link is None and row["record_id"] is not None:
            link = f"/apps/{row['app']}/{row['entity']}/{row['record_id']}"
        return cls(**{name: row[name] for name in cls.model_fields if name != "link"}, link=link)


class UnreadCount(BaseModel):
    unread: int


class MarkedRead(BaseModel):
    marked: int


def _iso_text(value: Any) -> Any:
    """Only an ISO 8601 text is a date here (not a number, nor digits taken as Unix time)."""
    if (isinstance(value, str) and ISO_DATE.match(value)) or isinstance(value, datetime | None):
        return value
    raise ValueError("expected an ISO 8601 date and time, e.g. 2026-12-24T09:00:00+08:00")


ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}")
IsoDateTime = Annotated[
    datetime,
    BeforeValidator(_iso_text),
    Field(strict=False, json_schema_extra={"format": "date-time"}),
]


class AwayDates(StrictBody):
    away_from: IsoDateTime | None = None
    away_until: IsoDateTime | None = None


@router.get("/api/notifications")
def list_notifications(
    user: CurrentUser,
    db: Db,
    unread: Annotated[bool, Query(description="Only the unread ones.")] = False,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> list[NotificationOut]:
    rows = inbox.list_notifications(db.connection(), user.id, unread_only=unread, limit=limit)
    return [NotificationOut.of(row) for row in rows]


@router.get("/api/notifications/unread-count")
def unread_count(user: CurrentUser, db: Db) -> UnreadCount:
    return UnreadCount(unread=inbox.unread_count(db.connection(), user.id))


@router.post("/api/notifications/{notification_id}/read")
def mark_read(notification_id: NotificationId, user: CurrentUser, db: Db) -> UnreadCount:
    conn = db.connection()
    inbox.mark_read(conn, user.id, notification_id)
    count = inbox.unread_count(conn, user.id)
    db.commit()
    return UnreadCount(unread=count)


@router.post("/api/notifications/read-all")
def mark_all_read(user: CurrentUser, db: Db) -> MarkedRead:
    marked = inbox.mark_all_read(db.connection(), user.id)
    db.commit()
    return MarkedRead(marked=marked)


@router.get("/api/users/me/away")
def my_away_dates(user: CurrentUser) -> AwayDates:
    return AwayDates(away_from=user.away_from, away_until=user.away_until)


@router.put("/api/users/me/away")
def set_my_away_dates(body: AwayDates, user: CurrentUser, db: Db) -> AwayDates:
    """Set (or, with nulls, clear) the dates you are away; assignment skips you then."""
    start, end = check_away_dates(body.away_from, body.away_until)
    user = db.merge(user)
    user.away_from, user.away_until = start, end
    db.commit()
    return AwayDates(away_from=user.away_from, away_until=user.away_until)
