"""Browsing the audit log: filters checked all at once, newest first, keyset pagination.

A page holds up to ``limit`` events with ids below ``before`` (the newest when absent);
``next_before`` is the ``before`` of the next (older) page, or None on the last one.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session, aliased

from jimu.engines.form.sqltypes import MAX_ID
from jimu.errors import FieldError, ValidationFailed
from jimu.platform.auth.sessions import as_utc
from jimu.platform.models import AuditEvent, User
from jimu.platform.security.audit_log import EVENT_KINDS

DEFAULT_LIMIT = 50
MAX_LIMIT = 500


@dataclass(frozen=True)
class AuditFilter:
    kinds: tuple[str, ...] = ()
    #: A user id, or a username: the user who did it.
    actor: str | None = None
    #: The username an event is about (the name typed at sign-in).
    username: str | None = None
    app: str | None = None
    since: datetime | None = None  # inclusive
    until: datetime | None = None  # exclusive
    before: int | None = None
    limit: int = DEFAULT_LIMIT


@dataclass(frozen=True)
class AuditEntry:
    id: int
    at: datetime
    kind: str
    actor_id: int | None
    actor: str | None  # the actor's username
    username: str | None
    ip: str | None
    app: str | None
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class AuditPage:
    events: list[AuditEntry]
    next_before: int | None


def parse_filter(
    params: Mapping[str, str | Sequence[str] | None], zone: tzinfo = UTC
) -> AuditFilter:
    """The filter of query parameters ``kind`` (repeatable), ``actor``, ``username``,
    ``app``, ``since``, ``until``, ``before`` and ``limit``; ``ValidationFailed`` names every
    bad one. Times are ISO 8601; a time without an offset, or a bare date, is in ``zone``;
    a bare date as ``until`` includes that whole day."""
    errors: list[FieldError] = []
    kinds = tuple(k for k in _many(params.get("kind")) if k)
    unknown = [k for k in kinds if k not in EVENT_KINDS]
    if unknown:
        errors.append(
            FieldError(
                "/kind",
                f"Unknown event kind {', '.join(unknown)}; use one of {', '.join(EVENT_KINDS)}.",
                "enum",
            )
        )
    since = _moment(_one(params.get("since")), zone, "/since", errors, end_of_day=False)
    until = _moment(_one(params.get("until")), zone, "/until", errors, end_of_day=True)
    if since and until and until <= since:
        errors.append(FieldError("/until", "The end must be after the start.", "range"))
    before = _integer(_one(params.get("before")), "/before", 1, MAX_ID, errors)
    limit = _integer(_one(params.get("limit")), "/limit", 1, MAX_LIMIT, errors)
    if errors:
        raise ValidationFailed("The audit log filter is not valid.", errors)
    return AuditFilter(
        kinds=kinds,
        actor=_one(params.get("actor")) or None,
        username=_one(params.get("username")) or None,
        app=_one(params.get("app")) or None,
        since=since,
        until=until,
        before=before,
        limit=limit or DEFAULT_LIMIT,
    )


def find_events(db: Session, wanted: AuditFilter) -> AuditPage:
    actor = aliased(User)
    query = (
        sa.select(AuditEvent, actor.username)
        .outerjoin(actor, actor.id == AuditEvent.actor_id)
        .order_by(AuditEvent.id.desc())
        .limit(wanted.limit + 1)
    )
    if wanted.kinds:
        query = query.where(AuditEvent.kind.in_(wanted.kinds))
    if wanted.actor:
        if wanted.actor.isdigit():
            query = query.where(AuditEvent.actor_id == int(wanted.actor))
        else:
            query = query.where(actor.username == wanted.actor)
    if wanted.username:
        query = query.where(AuditEvent.username == wanted.username)
    if wanted.app:
        query = query.where(AuditEvent.app == wanted.app)
    if wanted.since:
        query = query.where(AuditEvent.at >= wanted.since)
    if wanted.until:
        query = query.where(AuditEvent.at < wanted.until)
    if wanted.before:
        query = query.where(AuditEvent.id < wanted.before)
    rows = db.execute(query).all()
    entries = [_entry(event, name) for event, name in rows[: wanted.limit]]
    more = len(rows) > wanted.limit
    return AuditPage(entries, entries[-1].id if more and entries else None)


def _entry(event: AuditEvent, actor: str | None) -> AuditEntry:
    return AuditEntry(
        id=event.id,
        at=as_utc(event.at),
        kind=event.kind,
        actor_id=event.actor_id,
        actor=actor,
        username=event.username,
        ip=event.ip,
        app=event.app,
        detail=dict(event.detail or {}),
    )


def _many(value: str | Sequence[str] | None) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return [str(v) for v in value]


def _one(value: str | Sequence[str] | None) -> str:
    values = _many(value)
    return values[0].strip() if values else ""


def _moment(
    text: str, zone: tzinfo, pointer: str, errors: list[FieldError], *, end_of_day: bool
) -> datetime | None:
    if not text:
        return None
    try:
        if len(text) == 10:
            day = date.fromisoformat(text)
            moment = datetime.combine(day, time())
            if end_of_day:
                moment = _clamped(lambda: moment + timedelta(days=1), up=True)
        else:
            moment = datetime.fromisoformat(text)
    except ValueError:
        errors.append(
            FieldError(pointer, "Use an ISO 8601 date or time, e.g. 2026-11-23T09:30.", "format")
        )
        return None
    local = moment if moment.tzinfo else moment.replace(tzinfo=zone)
    return _clamped(lambda: local.astimezone(UTC), up=local.year > 1)


def _clamped(compute: Callable[[], datetime], *, up: bool) -> datetime:
    """``compute()``, or the last (``up``) or first moment there is when it falls outside
    years 1..9999 (a bound before or after every event)."""
    try:
        return compute()
    except OverflowError:
        return datetime.max.replace(tzinfo=UTC) if up else datetime.min.replace(tzinfo=UTC)


def _integer(
    text: str, pointer: str, low: int, high: int | None, errors: list[FieldError]
) -> int | None:
    if not text:
        return None
    try:
        number = int(text)
    except ValueError:
        number = low - 1
    if number < low or (high is not None and number > high):
        upper = f" and at most {high}" if high is not None else ""
        errors.append(FieldError(pointer, f"Use a whole number of at least {low}{upper}.", "range"))
        return None
    return number
