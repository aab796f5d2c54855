"""A small organisation and app for the approval tests.

People (username → role in the story): ann (a sales rep, the usual initiator), bob (her
manager, head of Sales), carol (bob's manager, holds the ``director`` role), dave (carol's
manager, the general manager), eve (holds ``finance`` directly), frank (a member of Audit,
below Finance, which holds ``auditor``), gina (head of Finance). The ``lead`` entity gets a
``reviewer`` user field and a ``team`` department field.
"""

from __future__ import annotations

import copy
import itertools
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from platform_testing import add_user

from jimu.platform import metadata_store as store
from jimu.platform.db import begin_write
from jimu.platform.models import Department, Notification, RoleAssignment, User, UserDepartment
from jimu.platform.state import Platform
from tests.platform.rules.rules_testing import APP, DOCUMENTS

USERS: sa.Table = User.__table__  # type: ignore[assignment]
PASSWORD = "approver-password-1"
NAMES = ("ann", "bob", "carol", "dave", "eve", "frank", "gina")


@dataclass(frozen=True)
class Org:
    ids: dict[str, int]
    sales: int
    finance: int
    audit: int

    def __getattr__(self, name: str) -> int:
        if name in NAMES:
            return self.ids[name]
        raise AttributeError(name)


def documents() -> list[dict[str, Any]]:
    docs = copy.deepcopy(DOCUMENTS)
    lead = next(d for d in docs if d["name"] == "lead")
    lead["fields"].append({"name": "reviewer", "type": "user", "label": {"en": "Reviewer"}})
    lead["fields"].append({"name": "team", "type": "department", "label": {"en": "Team"}})
    return docs


def publish_app(platform: Platform, flows: list[dict[str, Any]]) -> None:
    with begin_write(platform.engine) as conn:
        for doc in [*documents(), *flows]:
            store.save_draft(conn, APP, doc["kind"], doc["name"], doc)
        store.publish(conn, APP)
    platform.apps.forget(APP)


def make_org(platform: Platform) -> Org:
    ids = {name: add_user(platform, name, PASSWORD).id for name in NAMES}
    with begin_write(platform.engine) as conn:

        def department(name: str, parent: int | None = None) -> int:
            return int(
                conn.execute(
                    sa.insert(Department.__table__)
                    .values(name=name, parent_id=parent, sort_order=0, created_at=datetime.now())
                    .returning(Department.__table__.c.id)  # type: ignore[attr-defined]
                ).scalar_one()
            )

        sales, finance = department("Sales"), department("Finance")
        audit = department("Audit", finance)
        members = [
            (ids["ann"], sales, False),
            (ids["bob"], sales, True),
            (ids["gina"], finance, True),
            (ids["frank"], audit, False),
        ]
        for user_id, dept, leader in members:
            conn.execute(
                sa.insert(UserDepartment.__table__).values(
                    user_id=user_id, department_id=dept, is_main=True, is_leader=leader
                )
            )
        for user, manager in (("ann", "bob"), ("bob", "carol"), ("carol", "dave")):
            conn.execute(
                sa.update(USERS).where(USERS.c.id == ids[user]).values(manager_id=ids[manager])
            )
        roles = [
            {"user_id": ids["carol"], "role": "director"},
            {"user_id": ids["eve"], "role": "finance"},
            {"department_id": finance, "role": "auditor"},
        ]
        for role in roles:
            conn.execute(
                sa.insert(RoleAssignment.__table__).values(
                    app=APP, created_at=datetime.now(), **role
                )
            )
    return Org(ids, sales, finance, audit)


def set_away(platform: Platform, user_id: int, start: datetime, end: datetime | None) -> None:
    with begin_write(platform.engine) as conn:
        conn.execute(
            sa.update(USERS).where(USERS.c.id == user_id).values(away_from=start, away_until=end)
        )


def inbox(platform: Platform, user_id: int) -> list[str]:
    table: sa.Table = Notification.__table__  # type: ignore[assignment]
    with platform.engine.connect() as conn:
        return list(
            conn.scalars(
                sa.select(table.c.title).where(table.c.user_id == user_id).order_by(table.c.id)
            )
        )


def approval_flow(name: str, nodes: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    """start → the given nodes in sequence → end (every task's outcome leads on)."""
    all_nodes = [{"id": "s", "type": "start", "on": "manual"}, *nodes, {"id": "e", "type": "end"}]
    ids = [n["id"] for n in all_nodes]
    return {
        "kind": "flow",
        "name": name,
        "label": {"en": name.title(), "zh": name},
        "entity": "lead",
        "nodes": all_nodes,
        "edges": [{"from": a, "to": b} for a, b in itertools.pairwise(ids)],
        **extra,
    }
