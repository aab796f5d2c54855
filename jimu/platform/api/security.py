"""``/api/admin``: administrators browse the security audit log, see which addresses and
usernames sign-in throttling slows down, and clear them."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, Field

from jimu.errors import NotFound
from jimu.platform.api.audit_params import ID_TEXT, KINDS, LIMIT_TEXT, MOMENT, described
from jimu.platform.api.params import StrictBody, UserId
from jimu.platform.api.schemas import UserOut
from jimu.platform.auth.dependencies import AdminUser
from jimu.platform.clock import ClockDep
from jimu.platform.dependencies import Db, SettingsDep
from jimu.platform.models import User
from jimu.platform.security.audit_log import client_ip
from jimu.platform.security.audit_query import AuditEntry, find_events, parse_filter
from jimu.platform.security.backoff import ACCOUNT, Failures, ThrottlePolicy
from jimu.platform.security.throttle_admin import clear_failures, remembered_failures

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
    kind: Annotated[list[str] | None, described("Event kinds (repeatable).", KINDS)] = None,
    actor: Annotated[str | None, Query(description="The acting user's id or username.")] = None,
    username: Annotated[str | None, Query(description="The username the event is about.")] = None,
    app: str | None = None,
    since: Annotated[str | None, described("ISO 8601 date or time, inclusive.", MOMENT)] = None,
    until: Annotated[
        str | None, described("ISO 8601 time (exclusive) or date (inclusive).", MOMENT)
    ] = None,
    before: Annotated[str | None, described("Only events with a smaller id.", ID_TEXT)] = None,
    limit: Annotated[str | None, described("At most this many (1-500, 50).", LIMIT_TEXT)] = None,
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


class ThrottleOut(BaseModel):
    scope: Literal["address", "account"] = Field(
        description="``address``: a client address (IPv6: its /64); ``account``: a username."
    )
    key: str = Field(description="The address or the username as typed.")
    failures: int = Field(description="Failed password checks remembered.")
    last_failure_at: datetime
    waiting_until: datetime | None = Field(
        description="Password checks must wait until then; null when they may go on."
    )

    @classmethod
    def of(cls, failures: Failures, policy: ThrottlePolicy, now: datetime) -> ThrottleOut:
        return cls(
            scope=failures.scope,
            key=failures.key,
            failures=failures.count,
            last_failure_at=failures.last_at,
            waiting_until=failures.waiting_until(policy, now),
        )


class ThrottlesOut(BaseModel):
    throttles: list[ThrottleOut]


class ThrottleClear(StrictBody):
    scope: Literal["address", "account"]
    key: str = Field(min_length=1, max_length=200)


@router.get("/sign-in-throttles")
def sign_in_throttles(_: AdminUser, db: Db, settings: SettingsDep, clock: ClockDep) -> ThrottlesOut:
    """Addresses and usernames with failed sign-ins remembered (at most 200, latest first)."""
    policy, now = ThrottlePolicy.of(settings), clock()
    found = remembered_failures(db, policy, now)
    return ThrottlesOut(throttles=[ThrottleOut.of(f, policy, now) for f in found])


@router.post("/sign-in-throttles/clear")
def clear_sign_in_throttle(
    body: ThrottleClear,
    admin: AdminUser,
    db: Db,
    settings: SettingsDep,
    clock: ClockDep,
    request: Request,
) -> ThrottleOut:
    """Forget the failures of an address or a username, ending its wait (audited); what was
    forgotten. 404 when none are remembered."""
    forgotten = clear_failures(db, body.scope, body.key, admin, client_ip(request))
    if forgotten is None:
        db.rollback()
        raise NotFound(f"No failed sign-ins are remembered for {body.scope} {body.key!r}.")
    db.commit()
    return ThrottleOut.of(forgotten, ThrottlePolicy.of(settings), clock())


@router.post("/users/{user_id}/unlock")
def unlock_user(user_id: UserId, admin: AdminUser, db: Db, request: Request) -> UserOut:
    """Forget the failed sign-ins against a user's username, ending its wait (audited as
    ``account_unlocked``, also when none were remembered)."""
    user = db.get(User, user_id)
    if user is None:
        raise NotFound(f"There is no user {user_id}.")
    clear_failures(db, ACCOUNT, user.username, admin, client_ip(request))
    db.commit()
    return UserOut.of(user)
