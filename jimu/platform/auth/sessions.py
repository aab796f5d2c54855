"""Browser sessions: a random token in an HttpOnly cookie, stored as its sha256 digest.

Every session carries a CSRF token; unsafe requests authenticated by the cookie must echo it
(``X-CSRF-Token`` header, or a ``csrf_token`` form field).

A session ends at ``expires_at`` (its absolute lifetime) or when it has not been used for the
idle timeout: ``last_seen_at`` is written at most once per ``TOUCH_INTERVAL``, so most requests
only read it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value
from starlette.requests import Request

from jimu.platform.auth.crypto import digest, new_token
from jimu.platform.db import write_after_read
from jimu.platform.dependencies import get_settings
from jimu.platform.models import Session as SessionRow
from jimu.platform.models import User

COOKIE_NAME = "jimu_session"
#: ``last_seen_at`` is refreshed when it is older than this (not on every request).
TOUCH_INTERVAL = timedelta(seconds=60)
SESSIONS: sa.Table = SessionRow.__table__  # type: ignore[assignment]


@dataclass(frozen=True)
class StartedSession:
    token: str  # goes into the cookie; never stored
    csrf_token: str
    expires_at: datetime


def as_utc(moment: datetime) -> datetime:
    """SQLite hands timestamps back without their offset; they are UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def start_session(db: Session, user: User, lifetime: timedelta) -> StartedSession:
    """A new session of ``user``; the user's expired sessions are removed on the way."""
    token = new_token()
    now = datetime.now(UTC)
    expired = sa.delete(SessionRow).where(
        SessionRow.user_id == user.id, SessionRow.expires_at <= now
    )
    db.execute(expired, execution_options={"synchronize_session": False})
    row = SessionRow(
        id=digest(token),
        user_id=user.id,
        created_at=now,
        expires_at=now + lifetime,
        csrf_token=new_token(),
        last_seen_at=now,
    )
    db.add(row)
    db.flush()
    return StartedSession(token=token, csrf_token=row.csrf_token, expires_at=row.expires_at)


def idle_timeout(request: Request) -> timedelta | None:
    """The idle timeout of the app's sessions (``session_idle_hours``; 0 turns it off)."""
    hours = get_settings(request).session_idle_hours
    return timedelta(hours=hours) if hours > 0 else None


def load_session(
    db: Session, token: str, idle: timedelta | None = None
) -> tuple[SessionRow, User] | None:
    """The live session of ``token`` and its active user, or None.

    With ``idle``, a session unused for that long is ended; a live one has its
    ``last_seen_at`` refreshed (and committed) when older than ``TOUCH_INTERVAL``. Both writes
    run after ``db``'s read has ended, in a write transaction of their own
    (:func:`write_after_read`: one connection at a time, never "database is locked").
    """
    query = sa.select(SessionRow).where(SessionRow.id == digest(token))
    row = db.scalars(query).one_or_none()
    now = datetime.now(UTC)
    if row is None or as_utc(row.expires_at) <= now:
        return None
    last_seen = as_utc(row.last_seen_at or row.created_at)
    if idle is not None and last_seen + idle <= now:
        with write_after_read(db) as conn:
            conn.execute(sa.delete(SESSIONS).where(SESSIONS.c.id == row.id))
        return None
    user = db.get(User, row.user_id)
    if user is None or not user.is_active:
        return None
    if idle is not None and now - last_seen >= TOUCH_INTERVAL:
        touch = sa.update(SESSIONS).where(SESSIONS.c.id == row.id).values(last_seen_at=now)
        with write_after_read(db) as conn:
            conn.execute(touch)
        set_committed_value(row, "last_seen_at", now)
    return row, user


def end_session(db: Session, token: str) -> None:
    ended = sa.delete(SessionRow).where(SessionRow.id == digest(token))
    db.execute(ended, execution_options={"synchronize_session": False})


def end_user_sessions(db: Session, user_id: int, *, keep_token: str | None = None) -> int:
    """End every session of the user (but the one of ``keep_token``); how many ended."""
    ended = sa.delete(SessionRow).where(SessionRow.user_id == user_id)
    if keep_token is not None:
        ended = ended.where(SessionRow.id != digest(keep_token))
    result = db.execute(ended, execution_options={"synchronize_session": False})
    return int(getattr(result, "rowcount", 0) or 0)


def purge_expired_sessions(db: Session) -> int:
    expired = sa.delete(SessionRow).where(SessionRow.expires_at <= datetime.now(UTC))
    result = db.execute(expired, execution_options={"synchronize_session": False})
    return int(getattr(result, "rowcount", 0) or 0)
