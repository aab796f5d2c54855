"""Signing in with a password, with lockout after repeated failures, audited.

After ``max_failures`` wrong passwords in a row an account is locked for ``lockout``; while it
is locked every attempt fails with :class:`AccountLocked` (whether or not the password was
right) and does not count. A success resets the count.

Unknown usernames get the same answers as known ones: the same "wrong username or password"
error and, after as many failures in a row, the same "locked" error, computed by replaying
the audited failures of that name (so the answers do not tell whether the user exists).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import Session

from jimu.errors import NotAuthenticated
from jimu.platform.auth.passwords import burn_time, hash_password, needs_rehash, verify_password
from jimu.platform.auth.sessions import as_utc
from jimu.platform.auth.users import find_user
from jimu.platform.models import AuditEvent, User
from jimu.platform.security.audit_log import log_event
from jimu.platform.settings import Settings

WRONG_CREDENTIALS = "The username or password is wrong."
#: How far back the failures of an unknown username are replayed.
REPLAY_HORIZON = timedelta(hours=24)
REPLAY_LIMIT = 500


@dataclass(frozen=True)
class LockoutPolicy:
    max_failures: int = 5
    lockout: timedelta = timedelta(minutes=15)

    @classmethod
    def of(cls, settings: Settings) -> LockoutPolicy:
        return cls(
            max_failures=max(1, settings.login_max_failures),
            lockout=timedelta(minutes=settings.login_lockout_minutes),
        )


class AccountLocked(NotAuthenticated):
    """Sign-in refused because the account is locked until ``until`` (UTC)."""

    def __init__(self, until: datetime) -> None:
        self.until = as_utc(until)
        super().__init__(
            "The account is locked after too many failed sign-ins; try again after "
            f"{self.until:%Y-%m-%d %H:%M} UTC.",
            extra={"reason": "locked", "locked_until": self.until.isoformat()},
        )


@dataclass(frozen=True)
class SignInAttempt:
    """The outcome: the signed-in ``user``, or None and maybe when the lock ends."""

    user: User | None
    locked_until: datetime | None = None

    def error(self) -> NotAuthenticated:
        if self.locked_until is not None:
            return AccountLocked(self.locked_until)
        return NotAuthenticated(WRONG_CREDENTIALS, extra={"reason": "wrong_credentials"})


def sign_in_with_password(
    db: Session, username: str, password: str, policy: LockoutPolicy, *, ip: str | None = None
) -> SignInAttempt:
    """Check the password, keeping the lockout state and the audit log (the caller commits,
    also when the attempt failed, so failures are counted and recorded)."""
    now = datetime.now(UTC)
    user = find_user(db, username)
    if user is None:
        burn_time(password)
        log_event(
            db,
            "sign_in_failed",
            username=username,
            ip=ip,
            detail={"method": "password", "reason": "unknown_user"},
        )
        return SignInAttempt(None, _replayed_lock(db, username, policy, now))
    if user.locked_until is not None and as_utc(user.locked_until) > now:
        burn_time(password)
        _failed(db, user, ip, "locked")
        return SignInAttempt(None, as_utc(user.locked_until))
    if verify_password(user.password_hash, password):
        if not user.is_active:
            _failed(db, user, ip, "inactive")
            return SignInAttempt(None)
        if needs_rehash(user.password_hash):
            user.password_hash = hash_password(password)
        user.failed_logins = 0
        user.locked_until = None
        log_event(
            db,
            "sign_in",
            actor_id=user.id,
            username=user.username,
            ip=ip,
            detail={"method": "password"},
        )
        return SignInAttempt(user)
    failures = _count_failure(db, user)
    _failed(db, user, ip, "wrong_password")
    if failures < policy.max_failures:
        return SignInAttempt(None)
    until = now + policy.lockout
    user.failed_logins = 0
    user.locked_until = until
    log_event(
        db,
        "account_locked",
        actor_id=user.id,
        username=user.username,
        ip=ip,
        detail={"until": until.isoformat(), "failures": failures},
    )
    return SignInAttempt(None, until)


def unlock(user: User) -> None:
    """Lift a lock and forget the failures (an administrator's reset)."""
    user.failed_logins = 0
    user.locked_until = None


def _failed(db: Session, user: User, ip: str | None, reason: str) -> None:
    log_event(
        db,
        "sign_in_failed",
        actor_id=user.id,
        username=user.username,
        ip=ip,
        detail={"method": "password", "reason": reason},
    )


def _count_failure(db: Session, user: User) -> int:
    """Add one failure to the user's count in the database (atomically); the new count."""
    counted = db.execute(
        sa.update(User)
        .where(User.id == user.id)
        .values(failed_logins=User.failed_logins + 1)
        .returning(User.failed_logins),
        execution_options={"synchronize_session": False},
    ).scalar_one()
    user.failed_logins = int(counted)
    return int(counted)


def _replayed_lock(
    db: Session, username: str, policy: LockoutPolicy, now: datetime
) -> datetime | None:
    """When an unknown username's lock ends, as if it were a user, or None if not locked."""
    query = (
        sa.select(AuditEvent.at)
        .where(
            AuditEvent.kind == "sign_in_failed",
            AuditEvent.username == username,
            AuditEvent.actor_id.is_(None),
            AuditEvent.at >= now - REPLAY_HORIZON,
        )
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(REPLAY_LIMIT)
    )
    moments = [as_utc(at) for at in db.scalars(query)]
    return replay_lockout(reversed(moments), policy, now)


def replay_lockout(
    failures: Iterable[datetime], policy: LockoutPolicy, now: datetime
) -> datetime | None:
    """The lock after ``failures`` (oldest first) under ``policy``, if it lasts past ``now``."""
    count = 0
    locked_until: datetime | None = None
    for at in failures:
        if locked_until is not None and at < locked_until:
            continue
        count += 1
        if count >= policy.max_failures:
            locked_until = at + policy.lockout
            count = 0
    return locked_until if locked_until is not None and locked_until > now else None
