"""Helpers for records tests: a small app (accounts, leads, contracts with lines)."""

from __future__ import annotations

from typing import Any

from jimu.engines.form.model import AppModel
from jimu.platform.records import WriteContext

LABEL = {"en": "x"}


def entity(name: str, fields: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    return {"kind": "entity", "name": name, "label": {"en": name}, "fields": fields, **extra}


ACCOUNT = entity(
    "account",
    [
        {"name": "name", "type": "text", "required": True, "unique": True},
        {
            "name": "industry",
            "type": "select",
            "options": [{"value": "it"}, {"value": "retail"}],
        },
        {
            "name": "contract_count",
            "type": "rollup",
            "entity": "contract",
            "link": "account",
            "function": "count",
        },
        {
            "name": "contract_total",
            "type": "rollup",
            "entity": "contract",
            "link": "account",
            "field": "total",
            "function": "sum",
        },
    ],
)
LEAD = entity(
    "lead",
    [
        {"name": "name", "type": "text", "required": True, "max_length": 20},
        {
            "name": "status",
            "type": "select",
            "default": "new",
            "options": [{"value": "new", "color": "#1677ff"}, {"value": "won"}],
        },
        {"name": "amount", "type": "money", "currency": "CNY", "min": 0},
        {"name": "phone", "type": "phone"},
        {"name": "email", "type": "email"},
        {"name": "score", "type": "number", "min": 0, "max": 100},
        {"name": "account", "type": "link", "target": "account"},
        {"name": "partners", "type": "link", "target": "account", "many": True},
        {"name": "account_industry", "type": "lookup", "link": "account", "field": "industry"},
        {"name": "code", "type": "autonumber", "pattern": "LD-{YYYY}{MM}-{0000}"},
        {"name": "tags", "type": "multiselect", "options": [{"value": "a"}, {"value": "b"}]},
        {"name": "met_at", "type": "datetime"},
    ],
    indexes=[{"fields": ["status", "owner_id"]}],
)
CONTRACT = entity(
    "contract",
    [
        {"name": "title", "type": "text", "required": True},
        {"name": "account", "type": "link", "target": "account"},
        {"name": "lines", "type": "subtable", "target": "contract_line", "link": "contract"},
        {
            "name": "total",
            "type": "rollup",
            "entity": "contract_line",
            "link": "contract",
            "field": "amount",
            "function": "sum",
        },
    ],
)
LINE = entity(
    "contract_line",
    [
        {"name": "contract", "type": "link", "target": "contract", "required": True},
        {"name": "product", "type": "text", "required": True},
        {"name": "amount", "type": "money", "required": True},
    ],
)

CTX = WriteContext(actor_id=7, source="api")


def make_model(*docs: dict[str, Any]) -> AppModel:
    return AppModel.from_documents("crm", list(docs or (ACCOUNT, LEAD, CONTRACT, LINE)))
