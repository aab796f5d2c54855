"""Who a task node's ``assignees`` (and a cc node's ``recipients``) name, looked up when the
task is created; the decisions (manager chain, delegation, separation of duties, automatic
approval) are the pure ``jimu.engines.process.approvers``. The result is stored on the task,
so a later change in the organisation does not move open tasks."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from jimu.engines.process.approvers import (
    MAX_DELEGATION_HOPS,
    Assignment,
    Person,
    Policy,
    assign,
    manager_chain,
    next_in_turn,
    nth_manager,
)
from jimu.platform.models import (
    ProcessInstance,
    ProcessTask,
    RoleAssignment,
    User,
    UserDepartment,
)
from jimu.platform.org.tree import ancestor_ids, descendant_ids

USERS: sa.Table = User.__table__  # type: ignore[assignment]
MEMBERSHIPS: sa.Table = UserDepartment.__table__  # type: ignore[assignment]
ROLES: sa.Table = RoleAssignment.__table__  # type: ignore[assignment]
INSTANCES: sa.Table = ProcessInstance.__table__  # type: ignore[assignment]
TASKS: sa.Table = ProcessTask.__table__  # type: ignore[assignment]
#: How many of a node's latest tasks round robin looks through for the last turn.
TURN_LOOKBACK = 50


@dataclass(frozen=True)
class Who:
    """What the entries are read against: the app (roles), the instance's initiator and its
    record (``owner_id`` and user fields)."""

    app: str
    initiator: int | None
    record: Mapping[str, Any] = field(default_factory=dict)
    #: The record's department fields: a ``field`` entry naming one means its members.
    department_fields: frozenset[str] = frozenset()
    #: The flow and node (round robin takes turns among the node's earlier tasks).
    flow: str = ""
    node: str = ""


@dataclass
class Resolved:
    """A task's people: the decision, and (逐级审批) the rest of the manager chain, in order,
    who approve after the first."""

    assignment: Assignment
    then: list[int] = field(default_factory=list)
    #: Round robin: whose turn it was (kept on the task, so the next task goes to the next).
    turn: int | None = None


def _id(value: Any) -> int | None:
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    if isinstance(value, str) and value.isdigit():
        return int(value)
    return None


def _members(conn: sa.Connection, department_ids: Iterable[int]) -> list[int]:
    ids = sorted(set(department_ids))
    if not ids:
        return []
    query = sa.select(MEMBERSHIPS.c.user_id).where(MEMBERSHIPS.c.department_id.in_(ids))
    return sorted(set(conn.scalars(query)))


def role_holders(conn: sa.Connection, app: str, role: str) -> list[int]:
    """The users holding ``role`` in ``app``: directly, or as members of a department holding
    it or of a department below one (docs/access.md)."""
    rows = conn.execute(
        sa.select(ROLES.c.user_id, ROLES.c.department_id).where(
            ROLES.c.app == app, ROLES.c.role == role
        )
    ).all()
    users = sorted({r.user_id for r in rows if r.user_id is not None})
    departments = [r.department_id for r in rows if r.department_id is not None]
    members = _members(conn, descendant_ids(conn, departments)) if departments else []
    return users + [m for m in members if m not in users]


def _main_department(conn: sa.Connection, user_id: int | None) -> int | None:
    if user_id is None:
        return None
    rows = conn.execute(
        sa.select(MEMBERSHIPS.c.department_id, MEMBERSHIPS.c.is_main)
        .where(MEMBERSHIPS.c.user_id == user_id)
        .order_by(MEMBERSHIPS.c.department_id)
    ).all()
    if not rows:
        return None
    return int(next((r.department_id for r in rows if r.is_main), rows[0].department_id))


def department_heads(conn: sa.Connection, department_id: int | None) -> list[int]:
    """The heads of the department; a department without one has its nearest parent's."""
    if department_id is None:
        return []
    for current in reversed(ancestor_ids(conn, department_id)):
        heads = sorted(
            conn.scalars(
                sa.select(MEMBERSHIPS.c.user_id).where(
                    MEMBERSHIPS.c.department_id == current, MEMBERSHIPS.c.is_leader.is_(True)
                )
            )
        )
        if heads:
            return heads
    return []


def managers(conn: sa.Connection) -> dict[int, int | None]:
    """Every user's manager (one query: the chain is walked in memory)."""
    rows = conn.execute(
        sa.select(USERS.c.id, USERS.c.manager_id).where(USERS.c.manager_id.is_not(None))
    ).all()
    return {int(r.id): r.manager_id for r in rows}


def entry_users(
    conn: sa.Connection, entry: Mapping[str, Any], who: Who
) -> tuple[list[int], list[int]]:
    """The users one entry names, and (a ``manager_chain``) the ones who approve after them."""
    kind = entry["kind"]
    if kind == "user":
        return [int(entry["id"])], []
    if kind == "role":
        return role_holders(conn, who.app, str(entry["role"])), []
    if kind == "department":
        return _members(conn, [int(entry["id"])]), []
    if kind == "department_head":
        department = entry.get("department") or _main_department(conn, who.initiator)
        return department_heads(conn, department), []
    if kind == "manager":
        return nth_manager(who.initiator, managers(conn), int(entry.get("level", 1))), []
    if kind == "manager_chain":
        stop = (
            role_holders(conn, who.app, str(entry["until_role"])) if "until_role" in entry else []
        )
        chain = manager_chain(
            who.initiator, managers(conn), levels=int(entry["levels"]), stop_at=stop
        )
        return chain[:1], chain[1:]
    if kind == "field":
        name = str(entry["field"])
        value = who.record.get(name)
        values = value if isinstance(value, list) else [value]
        ids = [v for v in (_id(x) for x in values) if v is not None]
        return (_members(conn, ids) if name in who.department_fields else ids), []
    if kind == "owner":
        owner = _id(who.record.get("owner_id"))
        return ([owner] if owner is not None else []), []
    if kind == "initiator":
        return ([who.initiator] if who.initiator is not None else []), []
    if kind == "round_robin":
        holders = role_holders(conn, who.app, str(entry["role"]))
        return next_in_turn(holders, last_turn(conn, who)), []
    raise ValueError(f"unknown assignee kind {kind!r}")


def last_turn(conn: sa.Connection, who: Who) -> int | None:
    """Whose turn a round-robin node gave last (``origin.turn`` of its latest tasks)."""
    rows = conn.execute(
        sa.select(TASKS.c.origin)
        .join(INSTANCES, INSTANCES.c.id == TASKS.c.instance_id)
        .where(INSTANCES.c.app == who.app, INSTANCES.c.flow == who.flow, TASKS.c.node == who.node)
        .order_by(TASKS.c.id.desc())
        .limit(TURN_LOOKBACK)
    ).scalars()
    for origin in rows:
        if origin and origin.get("turn") is not None:
            return int(origin["turn"])
    return None


def named_users(
    conn: sa.Connection, entries: Sequence[Mapping[str, Any]], who: Who
) -> tuple[list[int], list[int]]:
    """Every user the entries name, in order without repeats, and the rest of a chain."""
    users: list[int] = []
    then: list[int] = []
    for entry in entries:
        found, rest = entry_users(conn, entry, who)
        users.extend(u for u in found if u not in users)
        then.extend(u for u in rest if u not in then)
    return users, then


def people(conn: sa.Connection, ids: Iterable[int], now: datetime) -> dict[int, Person]:
    """The users ``ids`` and those who stand in for them while they are away (their manager,
    and so on), as the decisions take them."""
    found: dict[int, Person] = {}
    wanted = set(ids)
    for _ in range(MAX_DELEGATION_HOPS + 1):
        wanted -= set(found)
        if not wanted:
            break
        rows = conn.execute(
            sa.select(
                USERS.c.id,
                USERS.c.is_active,
                USERS.c.manager_id,
                USERS.c.away_from,
                USERS.c.away_until,
            ).where(USERS.c.id.in_(sorted(wanted)))
        ).all()
        for r in rows:
            found[int(r.id)] = Person(
                int(r.id), bool(r.is_active), r.manager_id, _aware(r.away_from),
                _aware(r.away_until),
            )  # fmt: skip
        missing = wanted - set(found)
        for gone in missing:
            found[gone] = Person(gone, active=False)
        wanted = {
            p.manager_id
            for p in found.values()
            if p.away(now) and p.manager_id is not None and p.manager_id not in found
        }
    return found


def _aware(value: datetime | None) -> datetime | None:
    """SQLite gives naive datetimes back: they were stored in UTC."""
    if value is None or value.tzinfo is not None:
        return value
    from datetime import UTC

    return value.replace(tzinfo=UTC)


def approved_users(conn: sa.Connection, tasks: sa.Table, instance_id: int) -> set[int]:
    """Who approved a task of this instance already (``auto_approve: ["repeat"]``)."""
    return set(
        conn.scalars(
            sa.select(tasks.c.completed_by).where(
                tasks.c.instance_id == instance_id,
                tasks.c.status == "done",
                tasks.c.outcome == "approve",
                tasks.c.completed_by.is_not(None),
            )
        )
    )


def resolve_task(
    conn: sa.Connection,
    node: Mapping[str, Any],
    who: Who,
    now: datetime,
    *,
    approved: Iterable[int] = (),
) -> Resolved:
    """The people of a task of ``node``: named by its entries, then decided."""
    candidates, then = named_users(conn, node.get("assignees", []), who)
    folks = people(conn, [*candidates, *then, *([who.initiator] if who.initiator else [])], now)
    assignment = assign(
        candidates,
        folks,
        now,
        initiator=who.initiator,
        approved=approved,
        policy=Policy.of(node),
        approval=node["type"] == "approval",
    )
    turn = None
    for entry in node.get("assignees", []):
        if entry.get("kind") == "round_robin":
            picked, _ = entry_users(conn, entry, who)
            turn = picked[0] if picked else None
    return Resolved(assignment, [u for u in then if folks.get(u, Person(u)).active], turn)
