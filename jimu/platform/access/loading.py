"""Reading access from the database: published roles, who holds them, and record shares."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from jimu.platform.access.policy import AccessPolicy, RoleSpec, parse_role
from jimu.platform.metadata_store.documents import published_bodies
from jimu.platform.models import RecordShare, RoleAssignment, User
from jimu.platform.org.context import user_context
from jimu.platform.org.tree import DEPARTMENTS

#: The context key of the departments a user's roles and shares reach them through.
REACH_KEY = "_reach_department_ids"
ASSIGNMENTS: sa.Table = RoleAssignment.__table__  # type: ignore[assignment]
SHARES: sa.Table = RecordShare.__table__  # type: ignore[assignment]


def published_roles(conn: sa.Connection, app: str) -> tuple[RoleSpec, ...]:
    """The roles of the app's published role documents, by name."""
    bodies = [b for b in published_bodies(conn, app) if b.get("kind") == "role"]
    return tuple(parse_role(b) for b in sorted(bodies, key=lambda b: str(b["name"])))


def ancestors_and_self(conn: sa.Connection, department_ids: Iterable[int]) -> set[int]:
    """The departments and every department above them."""
    start = sorted(set(department_ids))
    if not start:
        return set()
    up = sa.select(DEPARTMENTS.c.id, DEPARTMENTS.c.parent_id).where(DEPARTMENTS.c.id.in_(start))
    tree = up.cte(recursive=True)
    parent = DEPARTMENTS.alias("parent")
    tree = tree.union(
        sa.select(parent.c.id, parent.c.parent_id).where(parent.c.id == tree.c.parent_id)
    )
    return set(conn.scalars(sa.select(tree.c.id)))


def assigned_roles(conn: sa.Connection, app: str, context: Mapping[str, Any]) -> set[str]:
    """The names of the roles the user holds in ``app``: their own, and those of their
    departments and of every department above those."""
    return roles_held(conn, app, context["id"], ancestors_and_self(conn, context["department_ids"]))


def roles_held(conn: sa.Connection, app: str, user_id: int, departments: Iterable[int]) -> set[str]:
    holder = ASSIGNMENTS.c.user_id == user_id
    wanted = sorted(set(departments))
    if wanted:
        holder = sa.or_(holder, ASSIGNMENTS.c.department_id.in_(wanted))
    query = sa.select(ASSIGNMENTS.c.role).where(ASSIGNMENTS.c.app == app, holder)
    return set(conn.scalars(query))


class LazyUserContext(Mapping[str, Any]):
    """The ``$user`` context, read from the database the first time a value is asked for
    (an unrestricted caller whose filters never name ``$user`` costs no query)."""

    def __init__(self, conn: sa.Connection, user: User) -> None:
        self._conn = conn
        self._user_id = user.id
        self._loaded: dict[str, Any] | None = None
        self._cheap = {"id": user.id, "username": user.username, "is_admin": bool(user.is_admin)}

    def _values(self) -> dict[str, Any]:
        if self._loaded is None:
            self._loaded = user_context(self._conn, self._user_id)
        return self._loaded

    def __getitem__(self, key: str) -> Any:
        if key in self._cheap:
            return self._cheap[key]
        return self._values()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._values())

    def __len__(self) -> int:
        return len(self._values())


@dataclass
class PolicyInputs:
    """What one scoped user's policy in one app is built from (read-only once built)."""

    #: The ``$user`` context, with the departments roles and shares reach the user through.
    context: dict[str, Any]
    #: The names of the roles the user holds in the app.
    held: frozenset[str]
    #: Ids of shared records by (entity, write), when kept (a cache); None: not kept.
    shares: dict[tuple[str, bool], list[int]] | None = None


def read_inputs(conn: sa.Connection, app: str, user_id: int) -> PolicyInputs:
    """``user_id``'s policy inputs in ``app`` as the database has them now."""
    context = dict(user_context(conn, user_id))
    # The departments a role or a share may reach the user through (read once).
    reach = sorted(ancestors_and_self(conn, context["department_ids"]))
    context[REACH_KEY] = reach
    return PolicyInputs(context, frozenset(roles_held(conn, app, user_id, reach)))


def load_policy(
    conn: sa.Connection,
    app: str,
    user: User,
    roles: Sequence[RoleSpec],
    inputs: Callable[[], PolicyInputs] | None = None,
) -> AccessPolicy:
    """``user``'s access to ``app`` whose published roles are ``roles``.

    ``inputs`` (default: :func:`read_inputs`) gives the user's policy inputs, e.g. from a
    cache; it is only called when access depends on them (not an administrator, an app with
    roles)."""
    if user.is_admin or not roles:
        lazy = LazyUserContext(conn, user)
        return AccessPolicy(app, user.id, lazy, tuple(roles), unrestricted=True)
    found = inputs() if inputs is not None else read_inputs(conn, app, user.id)
    granted = tuple(r for r in roles if r.name in found.held)
    return AccessPolicy(app, user.id, dict(found.context), granted, shares=found.shares)


def shared_ids(
    conn: sa.Connection, app: str, entity: str, context: Mapping[str, Any], *, write: bool
) -> list[int]:
    """Ids of the records of ``entity`` shared with the user, one of their departments or a
    department above one (for writing, only those shared with write access)."""
    holder = SHARES.c.user_id == context["id"]
    departments = context.get(REACH_KEY)
    if departments is None:
        departments = ancestors_and_self(conn, context.get("department_ids", []))
    if departments:
        holder = sa.or_(holder, SHARES.c.department_id.in_(sorted(departments)))
    query = sa.select(SHARES.c.record_id).where(
        SHARES.c.app == app, SHARES.c.entity == entity, holder
    )
    if write:
        query = query.where(SHARES.c.access == "write")
    return sorted(set(conn.scalars(query)))
