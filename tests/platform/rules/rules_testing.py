"""A small app for the rule tests: ``sales`` with ``lead``, ``account`` and ``task``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from jimu.platform import metadata_store as store
from jimu.platform.db import begin_write
from jimu.platform.records import Records, WriteContext
from jimu.platform.rules.worker import RuleWorker, WorkerOptions
from jimu.platform.state import Platform

APP = "sales"


def label(en: str) -> dict[str, str]:
    return {"en": en, "zh": en}


DOCUMENTS: list[dict[str, Any]] = [
    {"kind": "app", "name": APP, "label": label("Sales"), "menu": ["lead", "account", "task"]},
    {
        "kind": "entity",
        "name": "account",
        "label": label("Account"),
        "fields": [
            {"name": "name", "type": "text", "label": label("Name")},
            {"name": "hot", "type": "boolean", "label": label("Hot")},
        ],
    },
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
                "options": [{"value": v, "label": label(v)} for v in ("new", "mql", "won")],
            },
            {"name": "score", "type": "number", "label": label("Score")},
            {
                "name": "tags",
                "type": "multiselect",
                "label": label("Tags"),
                "options": [{"value": v, "label": label(v)} for v in ("hot", "cold")],
            },
            {"name": "account", "type": "link", "label": label("Account"), "target": "account"},
        ],
    },
    {
        "kind": "entity",
        "name": "task",
        "label": label("Task"),
        "fields": [
            {"name": "title", "type": "text", "label": label("Title")},
            {"name": "lead", "type": "link", "label": label("Lead"), "target": "lead"},
        ],
    },
]


def rule(name: str, **body: Any) -> dict[str, Any]:
    return {"kind": "rule", "name": name, "entity": "lead", **body}


def publish(platform: Platform, rules: Sequence[dict[str, Any]] = (), first: bool = True) -> None:
    """Publish the app (when ``first``) and ``rules``."""
    with begin_write(platform.engine) as conn:
        for doc in [*(DOCUMENTS if first else []), *rules]:
            store.save_draft(conn, APP, doc["kind"], doc["name"], doc)
        store.publish(conn, APP)
    platform.apps.forget(APP)


def records(platform: Platform) -> Records:
    with platform.engine.connect() as conn:
        return platform.apps.records(conn, APP)


def create(platform: Platform, entity: str, **values: Any) -> dict[str, Any]:
    with begin_write(platform.engine) as conn:
        return records(platform).create(conn, entity, values, WriteContext(1, "api"))


def update(platform: Platform, entity: str, record_id: int, **values: Any) -> dict[str, Any]:
    with begin_write(platform.engine) as conn:
        return records(platform).update(conn, entity, record_id, values, WriteContext(1, "api"))


def get(platform: Platform, entity: str, record_id: int) -> dict[str, Any]:
    with platform.engine.connect() as conn:
        return records(platform).get(conn, entity, record_id, include_deleted=True)


def worker(platform: Platform, **options: Any) -> RuleWorker:
    return RuleWorker(platform, WorkerOptions(**options))
