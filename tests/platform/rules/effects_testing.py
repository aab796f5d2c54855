"""An app and an organisation for the rule effect tests: ``sales`` with ``lead`` (a select, a
user field, a department field, a date) and ``task`` (a link back, an assignee, due times);
users with addresses, languages, a manager, a department with a head, a role holder."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from jimu.platform.auth.users import create_user
from jimu.platform.models import Department, RoleAssignment, User, UserDepartment
from jimu.platform.state import Platform

APP = "sales"


def label(en: str, zh: str | None = None) -> dict[str, str]:
    return {"en": en, "zh": zh or en}


DOCUMENTS: list[dict[str, Any]] = [
    {"kind": "app", "name": APP, "label": label("Sales"), "menu": ["lead", "task"]},
    {
        "kind": "entity",
        "name": "lead",
        "label": label("Lead"),
        "fields": [
            {"name": "name", "type": "text", "label": label("Name")},
            {
                "name": "status",
                "type": "select",
                "label": label("Status"),
                "options": [
                    {"value": "new", "label": label("New", "新线索")},
                    {"value": "mql", "label": label("Marketing qualified", "市场认可")},
                ],
            },
            {"name": "score", "type": "number", "label": label("Score")},
            {"name": "rep", "type": "user", "label": label("Rep")},
            {"name": "team", "type": "department", "label": label("Team")},
            {"name": "met_on", "type": "date", "label": label("Met on")},
            {"name": "contact_email", "type": "email", "label": label("Contact's email")},
        ],
    },
    {
        "kind": "entity",
        "name": "task",
        "label": label("Task"),
        "fields": [
            {"name": "title", "type": "text", "label": label("Title")},
            {"name": "lead", "type": "link", "label": label("Lead"), "target": "lead"},
            {"name": "assignee", "type": "user", "label": label("Assignee")},
            {"name": "due", "type": "datetime", "label": label("Due")},
            {"name": "due_day", "type": "date", "label": label("Due day")},
        ],
    },
]


@dataclass
class Org:
    owner: User  # zh, has an address, reports to ``manager``, in ``sales_dept``
    manager: User
    head: User  # leads ``sales_dept``, no address
    rep: User
    closer: User  # holds the role ``closer``
    team_member: User  # in ``support_dept``
    sales_dept: int
    support_dept: int


def make_org(platform: Platform) -> Org:
    with platform.sessions() as db:

        def person(name: str, email: str | None, language: str = "en") -> User:
            return create_user(db, name, None, email=email, language=language)

        manager = person("mark", "mark@example.com")
        owner = person("olivia", "olivia@example.com", "zh")
        head = person("hana", None)
        rep = person("rita", "rita@example.com")
        closer = person("carl", "carl@example.com")
        member = person("tom", "tom@example.com")
        db.flush()
        owner.manager_id = manager.id
        sales, support = Department(name="Sales"), Department(name="Support")
        db.add_all([sales, support])
        db.flush()
        db.add_all(
            [
                UserDepartment(user_id=owner.id, department_id=sales.id, is_main=True),
                UserDepartment(user_id=head.id, department_id=sales.id, is_leader=True),
                UserDepartment(user_id=member.id, department_id=support.id, is_main=True),
                RoleAssignment(app=APP, role="closer", user_id=closer.id),
            ]
        )
        db.commit()
        for user in (owner, manager, head, rep, closer, member):
            db.refresh(user)
        db.expunge_all()
        return Org(owner, manager, head, rep, closer, member, sales.id, support.id)


def publish(platform: Platform, rules: list[dict[str, Any]]) -> None:
    """Publish the app with ``rules`` (raises ValidationFailed when one is invalid)."""
    from jimu.platform import metadata_store as store
    from jimu.platform.db import begin_write

    with begin_write(platform.engine) as conn:
        for doc in [*DOCUMENTS, *rules]:
            store.save_draft(conn, APP, doc["kind"], doc["name"], doc)
        store.publish(conn, APP)
    platform.apps.forget(APP)


def rule(name: str, actions: list[dict[str, Any]], **body: Any) -> dict[str, Any]:
    return {
        "kind": "rule",
        "name": name,
        "entity": "lead",
        "trigger": body.pop("trigger", {"on": "created"}),
        "actions": actions,
        **body,
    }


def create(platform: Platform, entity: str, owner: int | None = None, **values: Any) -> Any:
    from jimu.platform.db import begin_write
    from jimu.platform.records import WriteContext

    with begin_write(platform.engine) as conn:
        records = platform.apps.records(conn, APP)
        data = {**values, **({"owner_id": owner} if owner else {})}
        return records.create(conn, entity, data, WriteContext(owner, "api"))


def list_records(platform: Platform, entity: str) -> list[dict[str, Any]]:
    with platform.engine.connect() as conn:
        return platform.apps.records(conn, APP).list(conn, entity).items


ROLES: list[dict[str, Any]] = [
    {
        "kind": "role",
        "name": "rep",
        "label": {"en": "Rep", "zh": "销售"},
        "entities": {
            "lead": {"actions": ["read", "update"], "scope": "all", "write_scope": "own"},
            "task": {"actions": ["read"], "scope": "all"},
        },
    },
    {
        "kind": "role",
        "name": "viewer",
        "label": {"en": "Viewer", "zh": "只读"},
        "entities": {"lead": {"actions": ["read"], "scope": "all"}},
    },
]
CONVERT = rule(
    "convert",
    [
        {"type": "set_fields", "values": {"status": "mql"}},
        {
            "type": "notify",
            "recipients": [{"kind": "owner"}],
            "inbox": True,
            "title": "{{ name }} converted",
        },
    ],
    trigger={
        "on": "button",
        "label": {"en": "Convert", "zh": "转化"},
        "where": "both",
        "confirm": {"en": "Convert this lead?", "zh": "确定转化？"},
    },
    condition={"!=": [{"var": "status"}, "mql"]},
)
