"""A user's own account: changing the password (which ends their other sessions).

The current password is a password check like signing in: it goes through sign-in throttling
(:mod:`jimu.platform.security.throttle`), so a stolen session cannot be used to guess it quickly.
A wrong one is counted and audited (``sign_in_failed`` with ``detail.method`` =
``password_change``); the caller commits also when this raises, to keep that record.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from jimu.errors import FieldError, ValidationFailed
from jimu.platform.auth.passwords import verify_password
from jimu.platform.auth.sessions import end_user_sessions
from jimu.platform.auth.users import set_password
from jimu.platform.models import User, utcnow
from jimu.platform.security.audit_log import log_event
from jimu.platform.security.backoff import ThrottlePolicy
from jimu.platform.security.password_policy import PasswordPolicy, password_problems
from jimu.platform.security.throttle import (
    SignInThrottled,
    address_key,
    check_throttle,
    count_failure,
    count_success,
)


def change_own_password(
    db: Session,
    user: User,
    current: str,
    new: str,
    policy: PasswordPolicy,
    throttle: ThrottlePolicy,
    *,
    keep_session: str | None = None,
    ip: str | None = None,
    now: datetime | None = None,
) -> int:
    """Check the current password (under the throttle: ``SignInThrottled`` while it must
    wait) and the new one against ``policy`` (every problem at once, as ``ValidationFailed``),
    set it, end the user's sessions but ``keep_session`` and audit it. The caller commits,
    also when this raises. Returns how many sessions ended."""
    now = now or utcnow()
    address = address_key(ip)
    wait = check_throttle(db, throttle, address, user.username, now)
    if wait is not None:
        refused = SignInThrottled(wait, now)
        detail = {"scope": wait.scope, "retry_after": refused.retry_after}
        _check_failed(db, user, ip, "throttled", detail)
        raise refused
    errors: list[FieldError] = []
    if verify_password(user.password_hash, current):
        count_success(db, user.username)
    else:
        failures = count_failure(db, throttle, address, user.username, now)
        _check_failed(db, user, ip, "wrong_password", {"failures": failures})
        errors.append(
            FieldError("/current_password", "This is not your current password.", "wrong")
        )
    errors.extend(password_problems(new, user.username, policy, "/new_password"))
    if errors:
        raise ValidationFailed("The password was not changed.", errors)
    set_password(user, new, pointer="/new_password", policy=policy)
    user.must_change_password = False
    ended = end_user_sessions(db, user.id, keep_token=keep_session)
    log_event(
        db,
        "password_changed",
        actor_id=user.id,
        username=user.username,
        ip=ip,
        detail={"user_id": user.id, "by": "self", "other_sessions_ended": ended},
    )
    return ended


def _check_failed(
    db: Session, user: User, ip: str | None, reason: str, extra: dict[str, Any]
) -> None:
    log_event(
        db,
        "sign_in_failed",
        actor_id=user.id,
        username=user.username,
        ip=ip,
        detail={"method": "password_change", "reason": reason, **extra},
    )
