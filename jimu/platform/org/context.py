"""The ``$user`` context that data scopes read (``$user.department_ids`` and friends)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from jimu.errors import NotFound
from jimu.platform.models import User, UserDepartment
from jimu.platform.org.tree import descendant_ids

USERS = User.__table__
MEMBERSHIPS = UserDepartment.__table__


def user_context(conn: sa.Connection, user_id: int) -> dict[str, Any]:
    """``{"id", "username", "department_ids", "main_department_id",
    "department_and_descendant_ids", "led_department_ids", "manager_id", "is_admin"}``.

    Id lists are sorted. A user without a main membership gets their lowest department id as
    main department (or None without departments).
    """
    user = conn.execute(
        sa.select(USERS.c.id, USERS.c.username, USERS.c.manager_id, USERS.c.is_admin).where(
            USERS.c.id == user_id
        )
    ).one_or_none()
    if user is None:
        raise NotFound(f"There is no user {user_id}.")
    memberships = conn.execute(
        sa.select(MEMBERSHIPS.c.department_id, MEMBERSHIPS.c.is_main, MEMBERSHIPS.c.is_leader)
        .where(MEMBERSHIPS.c.user_id == user_id)
        .order_by(MEMBERSHIPS.c.department_id)
    ).all()
    department_ids = [m.department_id for m in memberships]
    main = next((m.department_id for m in memberships if m.is_main), None)
    if main is None and department_ids:
        main = department_ids[0]
    return {
        "id": user.id,
        "username": user.username,
        "department_ids": department_ids,
        "main_department_id": main,
        "department_and_descendant_ids": sorted(descendant_ids(conn, department_ids)),
        "led_department_ids": [m.department_id for m in memberships if m.is_leader],
        "manager_id": user.manager_id,
        "is_admin": bool(user.is_admin),
    }
