"""A secured copy of the ``crm`` test app: roles, a department tree, reps and a manager.

Sales (manager ``mia`` leads it) has Field below it, and Field has East (``rex``) and West
(``wes``); ``fin`` is in Finance. Reps hold ``rep`` through Field (inherited by East and
West). Roles: ``rep`` (own leads plus the public pool, writes own, assigns to themselves;
amount hidden), ``manager`` (the department tree, also to whom it assigns; email
read-only), ``finance`` (every lead; read and export), ``winner`` (a custom condition),
``designer`` (may design forms).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from crm_app import write_app
from fastapi import FastAPI
from fastapi.testclient import TestClient
from platform_testing import add_user, sign_in

from jimu.platform import metadata_store as store
from jimu.platform.access.assignments import assign_role
from jimu.platform.db import begin_write
from jimu.platform.models import Department, UserDepartment
from jimu.platform.records import WriteContext
from jimu.platform.state import Platform

PASSWORD = "secure-password-1"
POOL = {"condition": {"==": [{"var": "owner_id"}, None]}}

ROLES: dict[str, dict[str, Any]] = {
    "rep": {
        "kind": "role",
        "name": "rep",
        "label": {"en": "Sales rep", "zh": "销售代表"},
        "entities": {
            "lead": {
                "actions": ["create", "read", "update"],
                "scope": ["own", POOL],
                "write_scope": "own",
                "fields": {"amount": "hidden"},
            },
            "account": {"actions": ["read"], "scope": "all"},
        },
    },
    "manager": {
        "kind": "role",
        "name": "manager",
        "label": {"en": "Sales manager", "zh": "销售经理"},
        "entities": {
            "lead": {
                "actions": ["create", "read", "update", "delete", "export", "import"],
                "scope": "department_tree",
                "assign_to": "department_tree",
                "fields": {"email": "read_only"},
            },
            "account": {"actions": ["read", "create", "update"], "scope": "all"},
        },
    },
    "finance": {
        "kind": "role",
        "name": "finance",
        "label": {"en": "Finance", "zh": "财务"},
        "entities": {"lead": {"actions": ["read", "export"], "scope": "all"}},
    },
    "winner": {
        "kind": "role",
        "name": "winner",
        "label": {"en": "Won deals", "zh": "赢单"},
        "entities": {
            "lead": {
                "actions": ["read"],
                "scope": {"condition": {"==": [{"var": "status"}, "won"]}},
                "fields": {"amount": "read_only", "email": "hidden"},
            }
        },
    },
    "designer": {
        "kind": "role",
        "name": "designer",
        "label": {"en": "Designer", "zh": "设计者"},
        "app_admin": ["forms"],
    },
}


@dataclass
class Secured:
    app: str
    users: dict[str, int]
    departments: dict[str, int]
    leads: dict[str, int]

    def client(self, app: FastAPI, username: str) -> TestClient:
        client = TestClient(app)
        sign_in(client, username, PASSWORD)
        return client


def write_roles(folder: Path) -> None:
    (folder / "roles").mkdir(exist_ok=True)
    for name, body in ROLES.items():
        text = json.dumps(body, indent=2, ensure_ascii=False) + "\n"
        (folder / "roles" / f"{name}.json").write_text(text, encoding="utf-8")


def secure_crm(platform: Platform, root: Path) -> Secured:
    folder = write_app(root / "apps")
    write_roles(folder)
    with begin_write(platform.engine) as conn:
        store.import_folder(conn, folder, publish=True)
    users = {
        name: add_user(platform, name, PASSWORD).id
        for name in ("mia", "rex", "wes", "fin", "win", "dee", "nob")
    }
    with platform.sessions() as db:
        sales = Department(name="Sales")
        finance = Department(name="Finance")
        db.add_all([sales, finance])
        db.flush()
        field = Department(name="Field", parent_id=sales.id)
        db.add(field)
        db.flush()
        east = Department(name="East", parent_id=field.id)
        west = Department(name="West", parent_id=field.id)
        db.add_all([east, west])
        db.flush()
        departments = {
            "Sales": sales.id,
            "Field": field.id,
            "Finance": finance.id,
            "East": east.id,
            "West": west.id,
        }
        for username, department, leader in (
            ("mia", sales.id, True),
            ("rex", east.id, False),
            ("wes", west.id, False),
            ("fin", finance.id, False),
        ):
            db.add(
                UserDepartment(
                    user_id=users[username],
                    department_id=department,
                    is_main=True,
                    is_leader=leader,
                )
            )
        db.commit()
    with begin_write(platform.engine) as conn:
        roles = platform.apps.roles(conn, "crm")
        # Reps get their role through Field (East and West are below it).
        assign_role(conn, "crm", roles, "rep", department_id=departments["Field"])
        assign_role(conn, "crm", roles, "manager", user_id=users["mia"])
        assign_role(conn, "crm", roles, "finance", department_id=departments["Finance"])
        assign_role(conn, "crm", roles, "winner", user_id=users["win"])
        assign_role(conn, "crm", roles, "designer", user_id=users["dee"])
        records = platform.apps.records(conn, "crm")
        leads = {}
        for key, owner, status in (
            ("rex1", "rex", "new"),
            ("rex2", "rex", "won"),
            ("wes1", "wes", "new"),
            ("fin1", "fin", "won"),
        ):
            created = records.create(
                conn,
                "lead",
                {"name": key, "email": f"{key}@example.com", "status": status, "amount": "1000.00"},
                WriteContext(actor_id=users[owner]),
            )
            leads[key] = int(created["id"])
        pool = records.create(
            conn, "lead", {"name": "pool", "amount": "5.00", "owner_id": None}, WriteContext()
        )
        leads["pool"] = int(pool["id"])
    return Secured("crm", users, departments, leads)


def sent_statements(platform: Platform, run: Callable[[], Any]) -> list[tuple[str, Any]]:
    """(SQL, parameters) of every statement ``run()`` sends through the platform's engine."""
    seen: list[tuple[str, Any]] = []

    def grab(*args: Any) -> None:
        seen.append((str(args[2]), args[3]))

    sa.event.listen(platform.engine, "before_cursor_execute", grab)
    try:
        run()
    finally:
        sa.event.remove(platform.engine, "before_cursor_execute", grab)
    return seen
