"""A small app for the public pool tests: ``sales`` with ``lead`` (its pool: reps claim, at
most 2 a day and 3 held while open, reasons required) and roles: reps, a manager, a viewer."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from platform_testing import add_user

from jimu.platform import metadata_store as store
from jimu.platform.access.assignments import assign_role
from jimu.platform.access.guarded import GuardedRecords
from jimu.platform.db import begin_write
from jimu.platform.models import User
from jimu.platform.records import Records, WriteContext
from jimu.platform.state import Platform

APP = "sales"
PASSWORD = "correct horse battery staple"


def label(en: str, zh: str | None = None) -> dict[str, str]:
    return {"en": en, "zh": zh or en}


POOL: dict[str, Any] = {
    "enabled": True,
    "claimers": {"roles": ["rep"]},
    "limits": {
        "claims_per_day": 2,
        "max_held": 3,
        "open_condition": {"!=": [{"var": "status"}, "won"]},
    },
    "returns": {
        "reasons": [
            {"value": "no_answer", "label": label("No answer", "联系不上")},
            {"value": "not_interested", "label": label("Not interested", "无意向")},
        ],
        "reason_required": True,
        "clear_fields": ["next_step"],
    },
    "previous_owner_may_claim": False,
}


def lead_entity(pool: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "kind": "entity",
        "name": "lead",
        "label": label("Lead", "线索"),
        "title_field": "name",
        "fields": [
            {"name": "name", "type": "text", "label": label("Name", "名称")},
            {
                "name": "status",
                "type": "select",
                "label": label("Status", "状态"),
                "options": [{"value": v, "label": label(v)} for v in ("new", "working", "won")],
            },
            {"name": "next_step", "type": "text", "label": label("Next step", "下一步")},
        ],
        **({"pool": pool} if pool is not None else {}),
    }


def role(name: str, scope: Any, assign_to: str = "self") -> dict[str, Any]:
    return {
        "kind": "role",
        "name": name,
        "label": label(name),
        "entities": {
            "lead": {
                "actions": ["create", "read", "update"],
                "scope": scope,
                "assign_to": assign_to,
            }
        },
    }


def documents(pool: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    return [
        {"kind": "app", "name": APP, "label": label("Sales", "销售"), "menu": ["lead"]},
        lead_entity(POOL if pool is None else pool),
        role("rep", "own"),
        role("manager", "all", "anyone"),
        role("viewer", "all"),
    ]


def publish(platform: Platform, docs: Sequence[dict[str, Any]]) -> None:
    with begin_write(platform.engine) as conn:
        for doc in docs:
            store.save_draft(conn, APP, doc["kind"], doc["name"], doc)
        store.publish(conn, APP)
    platform.apps.forget(APP)


def setup(platform: Platform, pool: dict[str, Any] | None = None) -> dict[str, User]:
    """Publish the app; users ann and bob (reps), mia (manager), vic (viewer)."""
    publish(platform, documents(pool))
    users = {name: add_user(platform, name, PASSWORD) for name in ("ann", "bob", "mia", "vic")}
    holders = {"ann": "rep", "bob": "rep", "mia": "manager", "vic": "viewer"}
    with begin_write(platform.engine) as conn:
        roles = platform.apps.roles(conn, APP)
        for name, held in holders.items():
            assign_role(conn, APP, roles, held, user_id=users[name].id)
    return users


def records(platform: Platform) -> Records:
    with platform.engine.connect() as conn:
        return platform.apps.records(conn, APP)


def guarded(platform: Platform, conn: Any, user: User) -> GuardedRecords:
    return platform.apps.for_user(conn, APP, user)


def create(platform: Platform, **values: Any) -> dict[str, Any]:
    with begin_write(platform.engine) as conn:
        return records(platform).create(conn, "lead", values, WriteContext(1, "api"))


def pool_lead(platform: Platform, name: str, **values: Any) -> dict[str, Any]:
    """A lead in the pool (no owner)."""
    return create(platform, name=name, owner_id=None, **values)


def get(platform: Platform, record_id: int) -> dict[str, Any]:
    with platform.engine.connect() as conn:
        return records(platform).get(conn, "lead", record_id)


def ctx(user: User) -> WriteContext:
    return WriteContext(user.id, "ui")
