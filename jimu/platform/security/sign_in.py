"""Signing in with a password, throttled and audited.

The password check goes through sign-in throttling (:mod:`jimu.platform.security.throttle`):
an address or username with too many recent failures is told to wait (``SignInThrottled``,
429) before its password is looked at. Every refusal is audited as ``sign_in_failed`` with its
reason (``throttled`` ones too), every success as ``sign_in``.

Unknown usernames get the same answers as known ones: the same "wrong username or password"
error, and the same waits (they are counted by the name typed).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from jimu.errors import JimuError, NotAuthenticated
from jimu.platform.auth.passwords import burn_time, hash_password, needs_rehash, verify_password
from jimu.platform.auth.users import find_user
from jimu.platform.models import User, utcnow
from jimu.platform.security.audit_log import log_event
from jimu.platform.security.backoff import ThrottlePolicy
from jimu.platform.security.throttle import (
    SignInThrottled,
    address_key,
    check_throttle,
    count_failure,
    count_success,
)

WRONG_CREDENTIALS = "The username or password is wrong."


@dataclass(frozen=True)
class SignInAttempt:
    """The outcome: the signed-in ``user``, or None and maybe the wait that refused it."""

    user: User | None
    throttled: SignInThrottled | None = None

    def error(self) -> JimuError:
        if self.throttled is not None:
            return self.throttled
        return NotAuthenticated(WRONG_CREDENTIALS, extra={"reason": "wrong_credentials"})


def sign_in_with_password(
    db: Session,
    username: str,
    password: str,
    policy: ThrottlePolicy,
    *,
    ip: str | None = None,
    now: datetime | None = None,
) -> SignInAttempt:
    """Check the password under the throttle, keeping its counts and the audit log (the
    caller commits, also when the attempt failed, so failures are counted and recorded)."""
    now = now or utcnow()
    address = address_key(ip)
    wait = check_throttle(db, policy, address, username, now)
    user = find_user(db, username)
    if wait is not None:
        refused = SignInThrottled(wait, now)
        detail = {"scope": wait.scope, "retry_after": refused.retry_after}
        _failed(db, username, user, ip, "throttled", detail)
        return SignInAttempt(None, refused)
    if user is None:
        burn_time(password)
        reason = "unknown_user"
    elif not verify_password(user.password_hash, password):
        reason = "wrong_password"
    elif not user.is_active:
        reason = "inactive"
    else:
        return _signed_in(db, user, password, ip)
    failures = count_failure(db, policy, address, username, now)
    _failed(db, username, user, ip, reason, {"failures": failures})
    return SignInAttempt(None)


def _signed_in(db: Session, user: User, password: str, ip: str | None) -> SignInAttempt:
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    count_success(db, user.username)
    log_event(
        db,
        "sign_in",
        actor_id=user.id,
        username=user.username,
        ip=ip,
        detail={"method": "password"},
    )
    return SignInAttempt(user)


def _failed(
    db: Session,
    username: str,
    user: User | None,
    ip: str | None,
    reason: str,
    extra: dict[str, Any],
) -> None:
    log_event(
        db,
        "sign_in_failed",
        actor_id=user.id if user is not None else None,
        username=username,
        ip=ip,
        detail={"method": "password", "reason": reason, **extra},
    )
