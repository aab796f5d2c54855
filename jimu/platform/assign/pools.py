"""The members of an assignment pool, and what the handler needs to know of each of them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from jimu.platform.models import Department, RoleAssignment, User, UserDepartment
from jimu.platform.notify.away import is_away
from jimu.platform.org.tree import descendant_ids

USERS: sa.Table = User.__table__  # type: ignore[assignment]
MEMBERSHIPS: sa.Table = UserDepartment.__table__  # type: ignore[assignment]
DEPARTMENTS: sa.Table = Department.__table__  # type: ignore[assignment]
ROLES: sa.Table = RoleAssignment.__table__  # type: ignore[assignment]


@dataclass(frozen=True)
class Candidate:
    """A member of a pool as the handler weighs them."""

    id: int
    name: str
    active: bool
    away_until: datetime | None
    away: bool


def describe_pool(conn: sa.Connection, pool: Mapping[str, Any]) -> dict[str, str]:
    """The pool in words, in English and Chinese (the department's name, the role's name)."""
    if "department" in pool:
        name = conn.scalar(sa.select(DEPARTMENTS.c.name).where(_department_is(pool["department"])))
        label = name if name is not None else f"#{pool['department']}"
        if pool.get("include_sub_departments"):
            return {
                "en": f"department {label} and its sub-departments",
                "zh": f"部门「{label}」及其下级部门",
            }
        return {"en": f"department {label}", "zh": f"部门「{label}」"}
    if "role" in pool:
        return {"en": f"role {pool['role']}", "zh": f"角色「{pool['role']}」"}
    users = pool["users"] if "users" in pool else [pool["user"]]
    query = sa.select(USERS.c.id, USERS.c.username, USERS.c.display_name).where(_users_are(users))
    names: dict[int | str, str] = {}
    for row in conn.execute(query):
        names[row.id] = names[row.username] = row.display_name or row.username
    listed = [names.get(u, f"#{u}" if isinstance(u, int) else str(u)) for u in _sorted(users)]
    return {"en": f"users {', '.join(listed)}", "zh": f"用户 {'、'.join(listed)}"}


def member_ids(conn: sa.Connection, app: str, pool: Mapping[str, Any]) -> list[int]:
    """The pool's users, by id (the order of round robin): a department's members (with
    its sub-departments' when asked), a role's holders (given to them, or to their department
    or one above it), or the listed users."""
    if "department" in pool:
        found = conn.scalar(sa.select(DEPARTMENTS.c.id).where(_department_is(pool["department"])))
        departments = {int(found)} if found is not None else set()
        if departments and pool.get("include_sub_departments"):
            departments = descendant_ids(conn, departments)
        return _members_of(conn, departments)
    if "role" in pool:
        rows = conn.execute(
            sa.select(ROLES.c.user_id, ROLES.c.department_id).where(
                ROLES.c.app == app, ROLES.c.role == str(pool["role"])
            )
        ).all()
        direct = {r.user_id for r in rows if r.user_id is not None}
        given = {r.department_id for r in rows if r.department_id is not None}
        below = descendant_ids(conn, given) if given else set()
        return sorted(direct | set(_members_of(conn, below)))
    users = pool["users"] if "users" in pool else [pool["user"]]
    return sorted(conn.scalars(sa.select(USERS.c.id).where(_users_are(users))))


def _department_is(reference: int | str) -> sa.ColumnElement[bool]:
    """A department by id, or by its HR system id (``external_id``) when given as text."""
    if isinstance(reference, int):
        return DEPARTMENTS.c.id == reference
    return DEPARTMENTS.c.external_id == reference


def _users_are(references: list[int | str]) -> sa.ColumnElement[bool]:
    """Users by id, or by username when given as text."""
    ids = [u for u in references if isinstance(u, int)]
    names = [u for u in references if isinstance(u, str)]
    return sa.or_(USERS.c.id.in_(ids), USERS.c.username.in_(names))


def _sorted(references: list[int | str]) -> list[int | str]:
    """Ids first, in order, then usernames."""
    return sorted(references, key=lambda u: (0, u, "") if isinstance(u, int) else (1, 0, u))


def _members_of(conn: sa.Connection, departments: set[int]) -> list[int]:
    if not departments:
        return []
    query = (
        sa.select(MEMBERSHIPS.c.user_id)
        .where(MEMBERSHIPS.c.department_id.in_(sorted(departments)))
        .distinct()
    )
    return sorted(conn.scalars(query))


def candidates(conn: sa.Connection, ids: list[int], at: datetime) -> list[Candidate]:
    """The users ``ids`` (in that order) with their names, whether active and away at ``at``."""
    if not ids:
        return []
    rows = conn.execute(
        sa.select(
            USERS.c.id,
            USERS.c.username,
            USERS.c.display_name,
            USERS.c.is_active,
            USERS.c.away_from,
            USERS.c.away_until,
        ).where(USERS.c.id.in_(ids))
    ).all()
    by_id = {row.id: row for row in rows}
    out = []
    for user_id in ids:
        row = by_id[user_id]
        user = User(away_from=row.away_from, away_until=row.away_until)
        out.append(
            Candidate(
                id=user_id,
                name=row.display_name or row.username,
                active=bool(row.is_active),
                away_until=row.away_until,
                away=is_away(user, at),
            )
        )
    return out
