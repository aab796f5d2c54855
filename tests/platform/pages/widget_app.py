"""A small app with one field of every type the pages have a widget for (no formulas)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jimu.metadata.folder import write_folder
from jimu.platform import metadata_store as store
from jimu.platform.db import begin_write
from jimu.platform.state import Platform

PRIORITIES = [
    {"value": "low", "label": {"en": "Low", "zh": "低"}, "color": "#52c41a"},
    {"value": "high", "label": {"en": "High", "zh": "高"}, "color": "#f5222d"},
]
TAGS = [
    {"value": "red", "label": {"en": "Red", "zh": "红"}, "color": "#f5222d"},
    {"value": "blue", "label": {"en": "Blue", "zh": "蓝"}, "color": "#1677ff"},
]


def label(en: str, zh: str) -> dict[str, str]:
    return {"en": en, "zh": zh}


DOCUMENTS: list[dict[str, Any]] = [
    {
        "kind": "app",
        "name": "works",
        "label": label("Works", "工程"),
        "menu": ["project", "client"],
    },
    {
        "kind": "entity",
        "name": "client",
        "label": label("Client", "客户"),
        "title_field": "name",
        "fields": [{"name": "name", "type": "text", "label": label("Name", "名称")}],
    },
    {
        "kind": "entity",
        "name": "project",
        "label": label("Project", "项目"),
        "title_field": "title",
        "fields": [
            {"name": "code", "type": "autonumber", "pattern": "P-{0000}"},
            {"name": "title", "type": "text", "required": True, "label": label("Title", "标题")},
            {"name": "summary", "type": "textarea"},
            {"name": "body", "type": "richtext"},
            {"name": "hours", "type": "number", "min": 0},
            {"name": "ratio", "type": "decimal", "scale": 3},
            {"name": "budget", "type": "money", "currency": "CNY", "scale": 2},
            {"name": "progress", "type": "percent", "scale": 1},
            {"name": "active", "type": "boolean"},
            {"name": "start", "type": "date"},
            {"name": "due", "type": "datetime"},
            {"name": "priority", "type": "select", "options": PRIORITIES},
            {"name": "tags", "type": "multiselect", "options": TAGS},
            {"name": "contact_email", "type": "email"},
            {"name": "contact_phone", "type": "phone"},
            {"name": "site", "type": "url"},
            {"name": "manager", "type": "user"},
            {"name": "client", "type": "link", "target": "client"},
            {"name": "related", "type": "link", "target": "client", "many": True},
            {"name": "location", "type": "region"},
            {"name": "stars", "type": "rating", "max": 5},
            {"name": "files", "type": "attachment", "max_size": 1000, "accept": [".txt", ".png"]},
            {"name": "tasks", "type": "subtable", "target": "task", "link": "project"},
            {
                "name": "task_hours",
                "type": "rollup",
                "entity": "task",
                "link": "project",
                "field": "hours",
                "function": "sum",
            },
        ],
    },
    {
        "kind": "entity",
        "name": "task",
        "label": label("Task", "任务"),
        "title_field": "name",
        "fields": [
            {"name": "project", "type": "link", "target": "project"},
            {"name": "name", "type": "text", "required": True, "label": label("Task", "任务")},
            {"name": "hours", "type": "number"},
            {"name": "done", "type": "boolean"},
        ],
    },
]


def import_widget_app(platform: Platform, folder: Path) -> None:
    write_folder(folder, DOCUMENTS)
    with begin_write(platform.engine) as conn:
        store.import_folder(conn, folder, publish=True)
