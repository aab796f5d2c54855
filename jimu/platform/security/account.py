"""A user's own account: changing the password (which ends their other sessions)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from jimu.errors import FieldError, ValidationFailed
from jimu.platform.auth.passwords import verify_password
from jimu.platform.auth.sessions import end_user_sessions
from jimu.platform.auth.users import set_password
from jimu.platform.models import User
from jimu.platform.security.audit_log import log_event
from jimu.platform.security.password_policy import PasswordPolicy, password_problems


def change_own_password(
    db: Session,
    user: User,
    current: str,
    new: str,
    policy: PasswordPolicy,
    *,
    keep_session: str | None = None,
    ip: str | None = None,
) -> int:
    """Check the current password and the new one against ``policy`` (every problem at once,
    as ``ValidationFailed``), set it, end the user's sessions but ``keep_session`` and audit
    it. The caller commits. Returns how many sessions ended."""
    errors: list[FieldError] = []
    if not verify_password(user.password_hash, current):
        errors.append(
            FieldError("/current_password", "This is not your current password.", "wrong")
        )
    errors.extend(password_problems(new, user.username, policy, "/new_password"))
    if errors:
        raise ValidationFailed("The password was not changed.", errors)
    set_password(user, new, pointer="/new_password", policy=policy)
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
