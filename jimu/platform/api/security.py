"""``/api/admin``: administrators browse the security audit log and unlock accounts."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from jimu.errors import NotFound
from jimu.platform.api.params import UserId
from jimu.platform.api.schemas import UserOut
from jimu.platform.auth.dependencies import AdminUser
from jimu.platform.auth.sessions import as_utc
from jimu.platform.dependencies import Db
from jimu.platform.models import User
from jimu.platform.security.audit_log import client_ip, log_event
from jimu.platform.security.audit_query import AuditEntry, find_events, parse_filter
from jimu.platform.security.sign_in import unlock

router = APIRouter(prefix="/api/admin", tags=["security"])


class AuditEventOut(BaseModel):
    id: int
    at: datetime
    kind: str
    actor_id: int | None = Field(description="The user who did it, if known.")
    actor: str | None = Field(description="That user's username.")
    username: str | None = Field(description="The username the event is about, as typed.")
    ip: str | None
    app: str | None
    detail: dict[str, Any]

    @classmethod
    def of(cls, entry: AuditEntry) -> AuditEventOut:
        return cls(**entry.__dict__)


class AuditEventsOut(BaseModel):
    events: list[AuditEventOut]
    next_before: int | None = Field(
        description="Pass as ``before`` for the next, older page; null on the last page."
    )


@router.get("/audit-events")
def audit_events(
    _: AdminUser,
    db: Db,
    kind: Annotated[list[str] | None, Query(description="Event kinds (repeatable).")] = None,
    actor: Annotated[str | None, Query(description="The acting user's id or username.")] = None,
    username: Annotated[str | None, Query(description="The username the event is about.")] = None,
    app: str | None = None,
    since: Annotated[str | None, Query(description="ISO 8601 date or time, inclusive.")] = None,
    until: Annotated[
        str | None, Query(description="ISO 8601 time (exclusive) or date (inclusive).")
    ] = None,
    before: Annotated[str | None, Query(description="Only events with a smaller id.")] = None,
    limit: Annotated[str | None, Query(description="At most this many (1-500, 50).")] = None,
) -> AuditEventsOut:
    """The audit log, newest first, filtered; times without an offset are UTC."""
    params = {
        "kind": kind,
        "actor": actor,
        "username": username,
        "app": app,
        "since": since,
        "until": until,
        "before": before,
        "limit": limit,
    }
    page = find_events(db, parse_filter(params))
    return AuditEventsOut(
        events=[AuditEventOut.of(e) for e in page.events], next_before=page.next_before
    )


@router.post("/users/{user_id}/unlock")
def unlock_user(user_id: UserId, admin: AdminUser, db: Db, request: Request) -> UserOut:
    """Lift a lockout after failed sign-ins (and forget the failures) before it runs out."""
    user = db.get(User, user_id)
    if user is None:
        raise NotFound(f"There is no user {user_id}.")
    was_locked = user.locked_until
    unlock(user)
    log_event(
        db,
        "account_unlocked",
        actor_id=admin.id,
        username=user.username,
        ip=client_ip(request),
        detail={
            "user_id": user.id,
            "was_locked_until": as_utc(was_locked).isoformat() if was_locked else None,
        },
    )
    db.commit()
    return UserOut.of(user)
