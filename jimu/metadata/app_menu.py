"""An app's menu: what its sidebar lists, in order (see docs/builder.md, "The app designer").

An item is an entity's name (the plain form every app had first, still valid) or an object:

- ``{"type": "entity", "entity": "lead"}`` and ``{"type": "dashboard", "dashboard": "roi"}``,
  each with an optional ``label`` that replaces the target's own;
- ``{"type": "link", "label": {...}, "url": "https://..."}`` (http, https or a path on Jimu);
- ``{"type": "group", "label": {...}, "items": [...]}``, whose items are any of the above but
  a group (groups nest one level).

:func:`menu_errors` checks what the schema cannot: that entities and dashboards exist.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping
from typing import Any

from jimu.errors import FieldError

#: http(s) URLs and absolute paths on Jimu; never ``javascript:`` or ``data:``.
URL_PATTERN = r"^(https?://[^\s]+|/[^\s]*)$"
COLOR_PATTERN = "^#[0-9a-fA-F]{6}$"


def _target(kind: str, key: str) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {
            "type": {"const": kind},
            key: {"$ref": "#/$defs/name"},
            "label": {"$ref": "#/$defs/label"},
        },
        "required": ["type", key],
        "additionalProperties": False,
    }


def menu_item_defs() -> dict[str, Any]:
    """``$defs`` for the app schema: ``menu_leaf`` (no groups) and ``menu_item``."""
    link = {
        "type": "object",
        "properties": {
            "type": {"const": "link"},
            "label": {"$ref": "#/$defs/label"},
            "url": {"type": "string", "pattern": URL_PATTERN, "maxLength": 2000},
        },
        "required": ["type", "label", "url"],
        "additionalProperties": False,
    }
    leaf = {
        "oneOf": [
            {"$ref": "#/$defs/name"},
            _target("entity", "entity"),
            _target("dashboard", "dashboard"),
            link,
        ]
    }
    group = {
        "type": "object",
        "properties": {
            "type": {"const": "group"},
            "label": {"$ref": "#/$defs/label"},
            "items": {"type": "array", "items": {"$ref": "#/$defs/menu_leaf"}},
        },
        "required": ["type", "label", "items"],
        "additionalProperties": False,
    }
    return {"menu_leaf": leaf, "menu_item": {"oneOf": [{"$ref": "#/$defs/menu_leaf"}, group]}}


def walk(menu: Any) -> Iterator[tuple[str, Mapping[str, Any] | str]]:
    """Every item of ``menu`` (groups and what they hold) with its JSON pointer."""
    for i, item in enumerate(menu or []):
        yield f"/menu/{i}", item
        if isinstance(item, Mapping) and item.get("type") == "group":
            for j, child in enumerate(item.get("items") or []):
                yield f"/menu/{i}/items/{j}", child


def menu_entities(menu: Any) -> list[str]:
    """The entities ``menu`` names, in menu order."""
    names = []
    for _, item in walk(menu):
        if isinstance(item, str):
            names.append(item)
        elif item.get("type") == "entity":
            names.append(str(item["entity"]))
    return names


def menu_errors(
    app_doc: Mapping[str, Any],
    entities: Collection[str],
    dashboards: Collection[str] | None = None,
) -> list[FieldError]:
    """Entities (and, when ``dashboards`` is given, dashboards) the menu names must exist, as
    must the home page's dashboard (``"home": {"dashboard": name}``)."""
    errors = []
    for pointer, item in walk(app_doc.get("menu")):
        if isinstance(item, str):
            if item not in entities:
                errors.append(FieldError(pointer, f"there is no entity {item!r}", "reference"))
        elif item.get("type") == "entity" and item["entity"] not in entities:
            message = f"there is no entity {item['entity']!r}"
            errors.append(FieldError(pointer + "/entity", message, "reference"))
        elif (
            item.get("type") == "dashboard"
            and dashboards is not None
            and item["dashboard"] not in dashboards
        ):
            message = f"there is no dashboard {item['dashboard']!r}"
            errors.append(FieldError(pointer + "/dashboard", message, "reference"))
    home = app_doc.get("home")
    wanted = home.get("dashboard") if isinstance(home, Mapping) else None
    if wanted and dashboards is not None and wanted not in dashboards:
        message = f"there is no dashboard {wanted!r}"
        errors.append(FieldError("/home/dashboard", message, "reference"))
    return errors
