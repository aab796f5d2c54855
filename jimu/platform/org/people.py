"""Administering people: the users list of the organisation page (search, department filter,
memberships, manager), temporary passwords and the roles a user holds."""

from __future__ import annotations

import secrets
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Session

from jimu.platform.access.loading import ASSIGNMENTS, ancestors_and_self
from jimu.platform.auth.sessions import end_user_sessions
from jimu.platform.auth.users import set_password
from jimu.platform.models import User, UserDepartment
from jimu.platform.org.tree import descendant_ids
from jimu.platform.security.audit_log import log_event
from jimu.platform.security.password_policy import PasswordPolicy, password_problems

#: Letters and digits without the look-alikes (0 O 1 l I) an administrator reads out.
TEMPORARY_ALPHABET = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
TEMPORARY_LENGTH = 14


def temporary_password(policy: PasswordPolicy, username: str) -> str:
    """A random password that meets ``policy`` for ``username`` (letters and digits, long
    enough, not containing the username)."""
    length = max(TEMPORARY_LENGTH, policy.min_length)
    while True:
        text = "".join(secrets.choice(TEMPORARY_ALPHABET) for _ in range(length))
        if not password_problems(text, username, policy):
            return text


def give_temporary_password(
    db: Session, user: User, policy: PasswordPolicy, *, actor_id: int | None
) -> str:
    """Set a new random password the user must change at their next sign-in; their sessions
    end. Audited as ``password_reset`` (method ``temporary``). The caller commits."""
    password = temporary_password(policy, user.username)
    set_password(user, password, "/password", policy)
    user.must_change_password = True
    ended = end_user_sessions(db, user.id)
    detail = {"user_id": user.id, "method": "temporary", "sessions_ended": ended}
    log_event(db, "password_reset", actor_id=actor_id, username=user.username, detail=detail)
    return password


def user_rows(
    db: Session, *, search: str = "", department_id: int | None = None
) -> list[dict[str, Any]]:
    """The users (matching ``search`` in username, name, email or mobile; in ``department_id``
    or below it), each with their memberships, manager and state."""
    query = sa.select(User).order_by(User.display_name, User.id)
    text = search.strip().lower()
    if text:
        like = f"%{text}%"
        query = query.where(
            sa.or_(
                sa.func.lower(User.username).like(like),
                sa.func.lower(User.display_name).like(like),
                sa.func.lower(sa.func.coalesce(User.email, "")).like(like),
                sa.func.coalesce(User.mobile, "").like(like),
            )
        )
    if department_id is not None:
        ids = descendant_ids(db.connection(), [department_id])
        members = sa.select(UserDepartment.user_id).where(UserDepartment.department_id.in_(ids))
        query = query.where(User.id.in_(members))
    users = list(db.scalars(query))
    memberships: dict[int, list[dict[str, Any]]] = {}
    rows = db.scalars(
        sa.select(UserDepartment)
        .where(UserDepartment.user_id.in_([u.id for u in users]))
        .order_by(UserDepartment.is_main.desc(), UserDepartment.department_id)
    )
    for m in rows:
        memberships.setdefault(m.user_id, []).append(
            {"department_id": m.department_id, "is_main": m.is_main, "is_leader": m.is_leader}
        )
    return [user_row(u, memberships.get(u.id, [])) for u in users]


def user_row(user: User, departments: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "id": user.id,
        "username": user.username,
        "display_name": user.display_name,
        "email": user.email,
        "mobile": user.mobile,
        "is_admin": user.is_admin,
        "is_active": user.is_active,
        "must_change_password": user.must_change_password,
        "manager_id": user.manager_id,
        "away_from": user.away_from.isoformat() if user.away_from else None,
        "away_until": user.away_until.isoformat() if user.away_until else None,
        "departments": departments,
    }


def memberships_of(db: Session, user_id: int) -> list[dict[str, Any]]:
    rows = db.scalars(
        sa.select(UserDepartment)
        .where(UserDepartment.user_id == user_id)
        .order_by(UserDepartment.is_main.desc(), UserDepartment.department_id)
    )
    return [
        {"department_id": m.department_id, "is_main": m.is_main, "is_leader": m.is_leader}
        for m in rows
    ]


def roles_held(db: Session, user_id: int) -> list[dict[str, Any]]:
    """The role assignments given to the user directly and to their departments (and so,
    through the tree, to them), by app and role."""
    conn = db.connection()
    own = sa.select(UserDepartment.department_id).where(UserDepartment.user_id == user_id)
    reaching = ancestors_and_self(conn, list(conn.scalars(own)))
    query = (
        sa.select(ASSIGNMENTS)
        .where(
            sa.or_(
                ASSIGNMENTS.c.user_id == user_id,
                ASSIGNMENTS.c.department_id.in_(sorted(reaching)),
            )
        )
        .order_by(ASSIGNMENTS.c.app, ASSIGNMENTS.c.role, ASSIGNMENTS.c.id)
    )
    return [
        {
            "id": row.id,
            "app": row.app,
            "role": row.role,
            "user_id": row.user_id,
            "department_id": row.department_id,
        }
        for row in conn.execute(query)
    ]
