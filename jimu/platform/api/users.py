"""``/api/users``: administrators list and create users."""

from __future__ import annotations

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
from jimu.platform.security.audit_log import client_ip, log_event
from jimu.platform.security.password_policy import PasswordPolicy
from jimu.platform.security.sign_in import unlock

router = APIRouter(prefix="/api/users", tags=["users"])


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

    A new password ends all the user's sessions and lifts a lockout.
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
                    "/is_admin" if "is_admin" in changes else "/is_active", "Not for yourself."
                )
            ],
        )
    update_user(user, changes, policy=PasswordPolicy.of(settings))
    if changes.get("password") is not None:
        unlock(user)
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
