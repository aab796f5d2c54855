"""A small app used by the API and CLI tests: ``crm`` with ``account`` and ``lead``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any


def label(en: str, zh: str) -> dict[str, str]:
    return {"en": en, "zh": zh}


APP: dict[str, Any] = {
    "kind": "app",
    "name": "crm",
    "label": label("CRM", "客户管理"),
    "menu": ["lead", "account"],
}
ACCOUNT: dict[str, Any] = {
    "kind": "entity",
    "name": "account",
    "label": label("Account", "客户"),
    "title_field": "name",
    "fields": [
        {"name": "name", "type": "text", "label": label("Name", "名称"), "required": True},
    ],
}
LEAD: dict[str, Any] = {
    "kind": "entity",
    "name": "lead",
    "label": label("Lead", "线索"),
    "title_field": "name",
    "fields": [
        {
            "name": "code",
            "type": "autonumber",
            "label": label("No.", "编号"),
            "pattern": "L-{0000}",
        },
        {
            "name": "name",
            "type": "text",
            "label": label("Name", "姓名"),
            "required": True,
            "max_length": 100,
        },
        {"name": "email", "type": "email", "label": label("Email", "邮箱"), "unique": True},
        {
            "name": "status",
            "type": "select",
            "label": label("Status", "状态"),
            "default": "new",
            "options": [
                {"value": "new", "label": label("New", "新")},
                {"value": "won", "label": label("Won", "赢单")},
            ],
        },
        {
            "name": "amount",
            "type": "money",
            "label": label("Amount", "金额"),
            "currency": "CNY",
            "scale": 2,
            "min": 0,
        },
        {"name": "account", "type": "link", "label": label("Account", "客户"), "target": "account"},
    ],
}


def write_app(root: Path, lead: dict[str, Any] | None = None) -> Path:
    """Write the app folder under ``root`` and return it."""
    folder = root / "crm"
    (folder / "entities").mkdir(parents=True, exist_ok=True)
    documents = {
        "app.json": APP,
        "entities/account.json": ACCOUNT,
        "entities/lead.json": lead or LEAD,
    }
    for relative, body in documents.items():
        text = json.dumps(body, indent=2, ensure_ascii=False) + "\n"
        (folder / relative).write_text(text, encoding="utf-8")
    return folder
