"""``/api/org/users``: the people of the organisation page (administrators only).

List users with their memberships (search, department filter), create one who gets a one-time
link to choose a password or a temporary password to change at first sign-in, reset a password
(either way again), and read the roles a user holds. Every change is audited.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, status
from pydantic import BaseModel, Field

from jimu.platform.api.notifications import IsoDateTime
from jimu.platform.api.org import MembershipIn
from jimu.platform.api.params import BodyId, StrictBody, UserId
from jimu.platform.auth.dependencies import AdminUser
from jimu.platform.auth.passwords import has_usable_password
from jimu.platform.auth.users import LANGUAGES, USERNAME_PATTERN, create_user
from jimu.platform.dependencies import Db, SettingsDep
from jimu.platform.notify.away import check_away_dates
from jimu.platform.org.invitations import issue_link
from jimu.platform.org.members import get_user, set_manager, set_memberships
from jimu.platform.org.people import (
    give_temporary_password,
    memberships_of,
    roles_held,
    user_row,
    user_rows,
)
from jimu.platform.security.audit_log import log_event
from jimu.platform.security.password_policy import PasswordPolicy
from jimu.platform.settings import Settings

router = APIRouter(prefix="/api/org/users", tags=["organisation"])
Access = Literal["invite", "temporary"]


class NewPerson(StrictBody):
    username: str = Field(json_schema_extra={"pattern": USERNAME_PATTERN.pattern})
    display_name: str = Field(default="", max_length=200)
    email: str | None = Field(default=None, max_length=320)
    mobile: str | None = Field(default=None, max_length=32)
    is_admin: bool = False
    language: str = Field(default="en", json_schema_extra={"enum": list(LANGUAGES)})
    access: Access = Field(
        "invite",
        description="invite: a one-time link to choose a password; temporary: a password "
        "to change at the first sign-in. Either is answered only this once.",
    )
    departments: list[MembershipIn] = Field(default_factory=list)
    manager_id: BodyId | None = None
    away_from: IsoDateTime | None = None
    away_until: IsoDateTime | None = None


class ResetIn(StrictBody):
    access: Access = Field(description="invite: a new one-time link; temporary: a new password")


class GivenAccess(BaseModel):
    """What the administrator hands the user, shown only this once."""

    temporary_password: str | None = None
    invite_path: str | None = Field(None, description="/invite/<token>: open it on this site")
    invite_url: str | None = Field(None, description="The link with the site's base URL")
    expires_at: datetime | None = None


class CreatedPerson(GivenAccess):
    user: dict[str, Any]


@router.get("")
def list_people(
    _: AdminUser,
    db: Db,
    q: Annotated[str, Query(max_length=200, description="Part of a name, email or mobile")] = "",
    department_id: Annotated[
        int | None, Query(ge=1, description="Only members of it or a sub-department")
    ] = None,
) -> list[dict[str, Any]]:
    return user_rows(db, search=q, department_id=department_id)


@router.post("", status_code=status.HTTP_201_CREATED)
def add_person(body: NewPerson, admin: AdminUser, db: Db, settings: SettingsDep) -> CreatedPerson:
    policy = PasswordPolicy.of(settings)
    start, end = check_away_dates(body.away_from, body.away_until)
    user = create_user(
        db,
        body.username,
        None,
        is_admin=body.is_admin,
        display_name=body.display_name,
        email=body.email or None,
        language=body.language,
        policy=policy,
    )
    user.mobile = body.mobile or None
    user.away_from, user.away_until = start, end
    if body.departments:
        set_memberships(
            db, user, [(m.department_id, m.is_main, m.is_leader) for m in body.departments]
        )
    if body.manager_id is not None:
        set_manager(db, user, body.manager_id)
    log_event(
        db,
        "user_created",
        actor_id=admin.id,
        username=user.username,
        detail={"user_id": user.id, "access": body.access, "is_admin": body.is_admin},
    )
    given = _give_access(db, user.id, body.access, admin.id, settings)
    db.commit()
    return CreatedPerson(user=user_row(user, memberships_of(db, user.id)), **given.model_dump())


@router.post("/{user_id}/password-reset")
def reset_password(
    user_id: UserId, body: ResetIn, admin: AdminUser, db: Db, settings: SettingsDep
) -> GivenAccess:
    """A new temporary password (the user's sessions end) or a new one-time link."""
    given = _give_access(db, user_id, body.access, admin.id, settings)
    db.commit()
    return given


@router.get("/{user_id}/roles")
def list_roles_held(user_id: UserId, _: AdminUser, db: Db) -> list[dict[str, Any]]:
    """The role assignments that reach the user: their own and their departments' (and the
    departments' above those)."""
    get_user(db, user_id)
    return roles_held(db, user_id)


def _give_access(
    db: Db, user_id: int, access: Access, actor_id: int, settings: Settings
) -> GivenAccess:
    user = get_user(db, user_id)
    policy = PasswordPolicy.of(settings)
    if access == "temporary":
        password = give_temporary_password(db, user, policy, actor_id=actor_id)
        return GivenAccess(temporary_password=password)
    purpose = "reset" if has_usable_password(user.password_hash) else "invite"
    link = issue_link(db, user, purpose, hours=settings.invitation_hours, actor_id=actor_id)
    base = settings.base_url.rstrip("/")
    return GivenAccess(
        invite_path=link.path,
        invite_url=base + link.path if base else None,
        expires_at=link.expires_at,
    )
