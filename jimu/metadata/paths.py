"""Where each document lives in an app folder."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

FOLDERS = {
    "entity": "entities",
    "form": "forms",
    "view": "views",
    "role": "roles",
    "flow": "flows",
    "rule": "rules",
    "decision_table": "decision_tables",
    "report": "reports",
    "dashboard": "dashboards",
}


def document_path(document: Mapping[str, Any]) -> str:
    """``app.json``, ``entities/lead.json``, ``forms/lead.json`` (``forms/lead.wide.json``)."""
    kind = str(document.get("kind"))
    if kind == "app":
        return "app.json"
    folder = FOLDERS.get(kind, kind)
    if kind == "view":
        return f"{folder}/{document.get('entity')}.{document.get('name')}.json"
    if kind == "form":
        entity, name = document.get("entity"), document.get("name", "default")
        return f"{folder}/{entity}.json" if name == "default" else f"{folder}/{entity}.{name}.json"
    return f"{folder}/{document.get('name')}.json"
