"""``/api/users``: administrators list and create users."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from fastapi import APIRouter, Request, status

from jimu.errors import FieldError, NotFound, ValidationFailed
from jimu.platform.api.params import UserId
from jimu.platform.api.schemas import UserCreate, UserOut, UserUpdate
from jimu.platform.auth.dependencies import AdminUser, CurrentUser
from jimu.platform.auth.sessions import end_user_sessions
from jimu.platform.auth.users import create_user, update_user
from jimu.platform.dependencies import Db, SettingsDep
from jimu.platform.models import User
from jimu.platform.notify.away import check_away_dates
from jimu.platform.security.audit_log import client_ip, log_event
from jimu.platform.security.backoff import ACCOUNT
from jimu.platform.security.password_policy import PasswordPolicy
from jimu.platform.security.throttle_store import forget

router = APIRouter(prefix="/api/users", tags=["users"])
#: The changes the audit log records with their old and new values (never the password).
AUDITED = (
    "display_name",
    "email",
    "is_admin",
    "is_active",
    "language",
    "time_zone",
    "mobile",
    "away_from",
    "away_until",
)


@router.get("")
def list_users(_: CurrentUser, db: Db) -> list[UserOut]:
    return [UserOut.of(user) for user in db.scalars(sa.select(User).order_by(User.id))]


@router.post("", status_code=status.HTTP_201_CREATED)
def add_user(body: UserCreate, _: AdminUser, db: Db, settings: SettingsDep) -> UserOut:
    user = create_user(
        db,
        body.username,
        body.password,
        is_admin=body.is_admin,
        display_name=body.display_name,
        email=body.email,
        language=body.language,
        policy=PasswordPolicy.of(settings),
    )
    db.commit()
    return UserOut.of(user)


@router.patch("/{user_id}")
def change_user(
    user_id: UserId,
    body: UserUpdate,
    admin: AdminUser,
    db: Db,
    settings: SettingsDep,
    request: Request,
) -> UserOut:
    """Change a user (e.g. deactivate them, make them an admin, reset their password).

    A new password ends all the user's sessions and forgets the failed sign-ins against
    their username (docs/security.md).
    """
    user = db.get(User, user_id)
    if user is None:
        raise NotFound(f"There is no user {user_id}.")
    changes = body.model_dump(exclude_unset=True)
    if user.id == admin.id and (
        changes.get("is_admin") is False or changes.get("is_active") is False
    ):
        raise ValidationFailed(
            "You cannot remove your own administrator rights or deactivate yourself.",
            [
                FieldError(
                    "/is_admin" if changes.get("is_admin") is False else "/is_active",
                    "Not for yourself.",
                    "yourself",
                )
            ],
        )
    before = {key: getattr(user, key) for key in changes if key in AUDITED}
    _apply_org_fields(user, changes)
    update_user(user, changes, policy=PasswordPolicy.of(settings))
    if changes.get("is_active") is False:
        end_user_sessions(db, user.id)
    changed = {
        key: {"from": _plain(value), "to": _plain(getattr(user, key))}
        for key, value in before.items()
        if value != getattr(user, key)
    }
    if changed:
        detail = {"user_id": user.id, "changes": changed}
        log_event(db, "user_changed", actor_id=admin.id, username=user.username, detail=detail)
    if changes.get("password") is not None:
        forget(db, ACCOUNT, user.username)
        ended = end_user_sessions(db, user.id)
        log_event(
            db,
            "password_changed",
            actor_id=admin.id,
            username=user.username,
            ip=client_ip(request),
            detail={"user_id": user.id, "by": "admin", "other_sessions_ended": ended},
        )
    db.commit()
    return UserOut.of(user)


def _apply_org_fields(user: User, changes: dict[str, object]) -> None:
    """Take the mobile and the away dates out of ``changes`` and set them (null or an empty
    mobile clear them; the dates are checked like the user's own, docs/notifications.md)."""
    if "mobile" in changes:
        mobile = changes.pop("mobile")
        user.mobile = mobile if isinstance(mobile, str) and mobile.strip() else None
    if "away_from" in changes or "away_until" in changes:
        start = changes.pop("away_from", user.away_from)
        end = changes.pop("away_until", user.away_until)
        assert start is None or isinstance(start, datetime)
        assert end is None or isinstance(end, datetime)
        user.away_from, user.away_until = check_away_dates(start, end)


def _plain(value: object) -> object:
    return value.isoformat() if isinstance(value, datetime) else value
