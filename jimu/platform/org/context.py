"""The ``$user`` context that data scopes read (``$user.department_ids`` and friends)."""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

from jimu.errors import NotFound
from jimu.metadata.roles import USER_CONTEXT_TYPES
from jimu.platform.models import User, UserDepartment
from jimu.platform.org.tree import descendant_ids

__all__ = ["USER_CONTEXT_TYPES", "user_context"]

USERS = User.__table__
MEMBERSHIPS = UserDepartment.__table__


def user_context(conn: sa.Connection, user_id: int) -> dict[str, Any]:
    """``{"id", "username", "department_ids", "main_department_id",
    "department_and_descendant_ids", "led_department_ids", "manager_id", "is_admin",
    "department_member_ids", "department_tree_member_ids", "report_ids"}``.

    ``department_member_ids`` are the users of the user's own departments (the user included),
    ``department_tree_member_ids`` those of the departments and every sub-department, and
    ``report_ids`` the users whose manager the user is. Id lists are sorted. A user without a
    main membership gets their lowest department id as main department (or None without
    departments).
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
    tree = sorted(descendant_ids(conn, department_ids))
    direct_members, tree_members = _members(conn, department_ids, tree, user.id)
    return {
        "id": user.id,
        "username": user.username,
        "department_ids": department_ids,
        "main_department_id": main,
        "department_and_descendant_ids": tree,
        "led_department_ids": [m.department_id for m in memberships if m.is_leader],
        "manager_id": user.manager_id,
        "is_admin": bool(user.is_admin),
        "department_member_ids": direct_members,
        "department_tree_member_ids": tree_members,
        "report_ids": sorted(
            conn.scalars(sa.select(USERS.c.id).where(USERS.c.manager_id == user.id))
        ),
    }


def _members(
    conn: sa.Connection, department_ids: list[int], tree: list[int], user_id: int
) -> tuple[list[int], list[int]]:
    """The users of ``department_ids`` and of the whole ``tree`` (each with the user themself,
    sorted), read in one query."""
    if not tree:
        return [user_id], [user_id]
    query = sa.select(MEMBERSHIPS.c.user_id, MEMBERSHIPS.c.department_id).where(
        MEMBERSHIPS.c.department_id.in_(tree)
    )
    rows = conn.execute(query).all()
    direct = set(department_ids)
    in_direct = {user_id, *(r.user_id for r in rows if r.department_id in direct)}
    return sorted(in_direct), sorted({user_id, *(r.user_id for r in rows)})
