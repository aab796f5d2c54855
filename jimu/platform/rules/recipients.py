"""Whom a rule's recipients name (docs/rules.md, "notify"): resolved when the effect is carried
out, on the run's connection, so the people are the organisation as it is then."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from jimu.engines.form.model import Entity
from jimu.platform.models import RoleAssignment, User, UserDepartment

USERS: sa.Table = User.__table__  # type: ignore[assignment]
MEMBERSHIPS: sa.Table = UserDepartment.__table__  # type: ignore[assignment]
ROLES: sa.Table = RoleAssignment.__table__  # type: ignore[assignment]


@dataclass(frozen=True)
class Person:
    """A recipient as the sends need them."""

    id: int
    email: str | None
    language: str


def _id(value: Any) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    return None


def _members(conn: sa.Connection, department_ids: Iterable[int]) -> list[int]:
    ids = sorted(set(department_ids))
    if not ids:
        return []
    query = sa.select(MEMBERSHIPS.c.user_id).where(MEMBERSHIPS.c.department_id.in_(ids))
    return sorted(set(conn.scalars(query)))


def _manager(conn: sa.Connection, user_id: int | None) -> list[int]:
    if user_id is None:
        return []
    manager = conn.scalar(sa.select(USERS.c.manager_id).where(USERS.c.id == user_id))
    return [manager] if manager is not None else []


def _main_department(conn: sa.Connection, user_id: int | None) -> int | None:
    """``user_id``'s main department (else their lowest-numbered one)."""
    if user_id is None:
        return None
    memberships = conn.execute(
        sa.select(MEMBERSHIPS.c.department_id, MEMBERSHIPS.c.is_main)
        .where(MEMBERSHIPS.c.user_id == user_id)
        .order_by(MEMBERSHIPS.c.department_id)
    ).all()
    if not memberships:
        return None
    main = next((m.department_id for m in memberships if m.is_main), memberships[0].department_id)
    return int(main)


def _department_heads(conn: sa.Connection, user_id: int | None) -> list[int]:
    """The leaders of ``user_id``'s main department."""
    main = _main_department(conn, user_id)
    if main is None:
        return []
    query = sa.select(MEMBERSHIPS.c.user_id).where(
        MEMBERSHIPS.c.department_id == main, MEMBERSHIPS.c.is_leader.is_(True)
    )
    return sorted(conn.scalars(query))


def _role_holders(conn: sa.Connection, app: str, role: str) -> list[int]:
    rows = conn.execute(
        sa.select(ROLES.c.user_id, ROLES.c.department_id).where(
            ROLES.c.app == app, ROLES.c.role == role
        )
    ).all()
    users = [r.user_id for r in rows if r.user_id is not None]
    return users + _members(conn, [r.department_id for r in rows if r.department_id is not None])


def recipient_ids(
    conn: sa.Connection,
    app: str,
    entity: Entity,
    record: Mapping[str, Any],
    recipient: Mapping[str, Any],
) -> list[int]:
    """The user ids one recipient entry names on ``record`` (inactive users included)."""
    kind = recipient["kind"]
    owner = _id(record.get("owner_id"))
    if kind == "user":
        return [int(recipient["id"])]
    if kind == "department":
        return _members(conn, [int(recipient["id"])])
    if kind == "role":
        return _role_holders(conn, app, str(recipient["role"]))
    if kind == "owner":
        return [owner] if owner is not None else []
    if kind == "manager":
        return _manager(conn, owner)
    if kind == "department_head":
        return _department_heads(conn, owner)
    if kind == "owner_department":
        main = _main_department(conn, owner)
        return _members(conn, [main]) if main is not None else []
    if kind == "address":
        return []  # not a user: see recipient_addresses
    if kind == "field":
        name = str(recipient["field"])
        value = _id(record.get(name))
        if value is None:
            return []
        spec = entity.field(name)
        if spec is not None and spec.type == "department":
            return _members(conn, [value])
        return [value]
    raise ValueError(f"unknown recipient kind {kind!r}")


def resolve_recipients(
    conn: sa.Connection,
    app: str,
    entity: Entity,
    record: Mapping[str, Any],
    recipients: Sequence[Mapping[str, Any]],
) -> list[Person]:
    """The active users ``recipients`` name on ``record``, each once, in the order named."""
    ordered: list[int] = []
    for recipient in recipients:
        for user_id in recipient_ids(conn, app, entity, record, recipient):
            if user_id not in ordered:
                ordered.append(user_id)
    if not ordered:
        return []
    rows = conn.execute(
        sa.select(USERS.c.id, USERS.c.email, USERS.c.language).where(
            USERS.c.id.in_(ordered), USERS.c.is_active.is_(True)
        )
    ).all()
    by_id = {row.id: Person(row.id, row.email, row.language or "en") for row in rows}
    return [by_id[user_id] for user_id in ordered if user_id in by_id]


#: What an email address looks like enough to send to it (the field types check the rest).
ADDRESS = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def recipient_addresses(
    record: Mapping[str, Any], recipients: Sequence[Mapping[str, Any]]
) -> list[str]:
    """The email addresses ``address`` recipients read from ``record`` (someone outside the
    organisation: a contact, a customer), each once, in the order named; empty values and
    values that are no address are left out."""
    found: list[str] = []
    for recipient in recipients:
        if recipient.get("kind") != "address":
            continue
        value = record.get(str(recipient["field"]))
        for item in value if isinstance(value, list) else [value]:
            text = str(item or "").strip()
            if ADDRESS.match(text) and text.lower() not in (f.lower() for f in found):
                found.append(text)
    return found
