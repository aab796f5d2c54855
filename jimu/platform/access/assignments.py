"""Giving roles to users and departments, and sharing records (writes; audited)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from jimu.errors import FieldError, NotFound, ValidationFailed
from jimu.platform.access.loading import ASSIGNMENTS, SHARES
from jimu.platform.access.policy import RoleSpec
from jimu.platform.models import Department, User, utcnow
from jimu.platform.security.audit_log import log_event

USERS: sa.Table = User.__table__  # type: ignore[assignment]
DEPARTMENTS: sa.Table = Department.__table__  # type: ignore[assignment]
SHARE_ACCESS = ("read", "write")


def _holder_errors(
    conn: sa.Connection, user_id: int | None, department_id: int | None
) -> list[FieldError]:
    if (user_id is None) == (department_id is None):
        return [FieldError("/user_id", "give exactly one of user_id and department_id", "one_of")]
    if (
        user_id is not None
        and conn.scalar(sa.select(USERS.c.id).where(USERS.c.id == user_id)) is None
    ):
        return [FieldError("/user_id", f"there is no user {user_id}", "reference")]
    if department_id is not None and (
        conn.scalar(sa.select(DEPARTMENTS.c.id).where(DEPARTMENTS.c.id == department_id)) is None
    ):
        return [
            FieldError("/department_id", f"there is no department {department_id}", "reference")
        ]
    return []


def role_members(conn: sa.Connection, app: str) -> dict[str, list[dict[str, Any]]]:
    """Role name → its holders (``{"id", "user_id" | "department_id", "name"}``)."""
    query = (
        sa.select(
            ASSIGNMENTS.c.id,
            ASSIGNMENTS.c.role,
            ASSIGNMENTS.c.user_id,
            ASSIGNMENTS.c.department_id,
            USERS.c.username,
            USERS.c.display_name,
            DEPARTMENTS.c.name.label("department_name"),
        )
        .select_from(
            ASSIGNMENTS.outerjoin(USERS, USERS.c.id == ASSIGNMENTS.c.user_id).outerjoin(
                DEPARTMENTS, DEPARTMENTS.c.id == ASSIGNMENTS.c.department_id
            )
        )
        .where(ASSIGNMENTS.c.app == app)
        .order_by(ASSIGNMENTS.c.role, ASSIGNMENTS.c.id)
    )
    members: dict[str, list[dict[str, Any]]] = {}
    for row in conn.execute(query):
        holder: dict[str, Any] = {"id": row.id}
        if row.user_id is not None:
            holder |= {"user_id": row.user_id, "name": row.display_name or row.username}
        else:
            holder |= {"department_id": row.department_id, "name": row.department_name}
        members.setdefault(row.role, []).append(holder)
    return members


def assign_role(
    conn: sa.Connection,
    app: str,
    roles: Sequence[RoleSpec],
    role: str,
    *,
    user_id: int | None = None,
    department_id: int | None = None,
    actor_id: int | None = None,
) -> int:
    """Give ``role`` to a user or a department (idempotent); the assignment's id."""
    errors = _holder_errors(conn, user_id, department_id)
    if role not in {r.name for r in roles}:
        errors.insert(0, FieldError("/role", f"{app} has no published role {role!r}", "reference"))
    if errors:
        raise ValidationFailed("The role assignment is not valid.", errors)
    holder = (
        ASSIGNMENTS.c.user_id == user_id
        if user_id is not None
        else ASSIGNMENTS.c.department_id == department_id
    )
    existing = conn.scalar(
        sa.select(ASSIGNMENTS.c.id).where(
            ASSIGNMENTS.c.app == app, ASSIGNMENTS.c.role == role, holder
        )
    )
    if existing is not None:
        return int(existing)
    new_id = conn.execute(
        sa.insert(ASSIGNMENTS).values(
            app=app,
            role=role,
            user_id=user_id,
            department_id=department_id,
            created_at=utcnow(),
            created_by=actor_id,
        )
    ).inserted_primary_key
    detail = {"role": role, "user_id": user_id, "department_id": department_id}
    log_event(conn, "role_assigned", actor_id=actor_id, app=app, detail=detail)
    return int(new_id[0]) if new_id else 0


def unassign_role(
    conn: sa.Connection, app: str, assignment_id: int, *, actor_id: int | None = None
) -> None:
    row = conn.execute(
        sa.select(ASSIGNMENTS).where(ASSIGNMENTS.c.id == assignment_id, ASSIGNMENTS.c.app == app)
    ).first()
    if row is None:
        raise NotFound(f"There is no role assignment {assignment_id} in {app}.")
    conn.execute(sa.delete(ASSIGNMENTS).where(ASSIGNMENTS.c.id == assignment_id))
    detail = {"role": row.role, "user_id": row.user_id, "department_id": row.department_id}
    log_event(conn, "role_unassigned", actor_id=actor_id, app=app, detail=detail)


def record_shares(
    conn: sa.Connection, app: str, entity: str, record_id: int
) -> list[dict[str, Any]]:
    query = (
        sa.select(SHARES)
        .where(SHARES.c.app == app, SHARES.c.entity == entity, SHARES.c.record_id == record_id)
        .order_by(SHARES.c.id)
    )
    return [
        {
            "id": row.id,
            "user_id": row.user_id,
            "department_id": row.department_id,
            "access": row.access,
        }
        for row in conn.execute(query)
    ]


def share_record(
    conn: sa.Connection,
    app: str,
    entity: str,
    record_id: int,
    access: str,
    *,
    user_id: int | None = None,
    department_id: int | None = None,
    actor_id: int | None = None,
) -> int:
    """Share one record with a user or department for ``read`` or ``write`` (replacing an
    earlier share with the same holder)."""
    errors = _holder_errors(conn, user_id, department_id)
    if access not in SHARE_ACCESS:
        errors.insert(0, FieldError("/access", "must be read or write", "enum"))
    if errors:
        raise ValidationFailed("The share is not valid.", errors)
    holder = (
        SHARES.c.user_id == user_id
        if user_id is not None
        else SHARES.c.department_id == department_id
    )
    conn.execute(
        sa.delete(SHARES).where(
            SHARES.c.app == app, SHARES.c.entity == entity, SHARES.c.record_id == record_id, holder
        )
    )
    new_id = conn.execute(
        sa.insert(SHARES).values(
            app=app,
            entity=entity,
            record_id=record_id,
            user_id=user_id,
            department_id=department_id,
            access=access,
            created_at=utcnow(),
            created_by=actor_id,
        )
    ).inserted_primary_key
    detail = {
        "entity": entity,
        "record_id": record_id,
        "access": access,
        "user_id": user_id,
        "department_id": department_id,
    }
    log_event(conn, "record_shared", actor_id=actor_id, app=app, detail=detail)
    return int(new_id[0]) if new_id else 0


def unshare_record(
    conn: sa.Connection,
    app: str,
    entity: str,
    record_id: int,
    share_id: int,
    *,
    actor_id: int | None = None,
) -> None:
    found = conn.execute(
        sa.delete(SHARES).where(
            SHARES.c.id == share_id,
            SHARES.c.app == app,
            SHARES.c.entity == entity,
            SHARES.c.record_id == record_id,
        )
    ).rowcount
    if not found:
        raise NotFound(f"There is no share {share_id} of {entity} record {record_id}.")
    detail = {"entity": entity, "record_id": record_id, "share_id": share_id}
    log_event(conn, "record_unshared", actor_id=actor_id, app=app, detail=detail)
