"""Browser sessions: a random token in an HttpOnly cookie, stored as its sha256 digest.

Every session carries a CSRF token; unsafe requests authenticated by the cookie must echo it
(``X-CSRF-Token`` header, or a ``csrf_token`` form field).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from jimu.platform.auth.crypto import digest, new_token
from jimu.platform.models import Session as SessionRow
from jimu.platform.models import User

COOKIE_NAME = "jimu_session"


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
    )
    db.add(row)
    db.flush()
    return StartedSession(token=token, csrf_token=row.csrf_token, expires_at=row.expires_at)


def load_session(db: Session, token: str) -> tuple[SessionRow, User] | None:
    """The live session of ``token`` and its active user, or None."""
    query = sa.select(SessionRow).where(SessionRow.id == digest(token))
    row = db.scalars(query).one_or_none()
    if row is None or as_utc(row.expires_at) <= datetime.now(UTC):
        return None
    user = db.get(User, row.user_id)
    if user is None or not user.is_active:
        return None
    return row, user


def end_session(db: Session, token: str) -> None:
    ended = sa.delete(SessionRow).where(SessionRow.id == digest(token))
    db.execute(ended, execution_options={"synchronize_session": False})


def purge_expired_sessions(db: Session) -> int:
    expired = sa.delete(SessionRow).where(SessionRow.expires_at <= datetime.now(UTC))
    result = db.execute(expired, execution_options={"synchronize_session": False})
    return int(getattr(result, "rowcount", 0) or 0)
