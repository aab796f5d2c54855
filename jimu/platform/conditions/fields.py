"""The fields of an entity as the condition builder's field picker shows them: name, labels,
field type, the *kind* of comparison it takes (``jimu.engines.expr.builder.KIND_OPERATORS``),
options with their labels and colours, the linked entity, and the system fields (owner,
created/updated at and by)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from jimu.engines.form.model import AppModel, Entity, Field
from jimu.engines.form.registry import FieldTypeRegistry
from jimu.engines.form.types.base import FieldContext
from jimu.metadata.validate import value_types

#: Field types whose kind is not their value type's: choices, people, departments, links.
KIND_BY_FIELD_TYPE = {
    "select": "choice",
    "user": "user",
    "department": "department",
    "link": "link",
    "multiselect": "other",
}
#: Value types (of the expression language) that are a kind of their own.
VALUE_KINDS = ("number", "text", "date", "datetime", "boolean")


def _label(en: str, zh: str) -> dict[str, str]:
    return {"en": en, "zh": zh}


#: The system fields a condition may name, with their labels and kinds.
SYSTEM_FIELDS: Mapping[str, tuple[dict[str, str], str]] = {
    "owner_id": (_label("Owner", "负责人"), "user"),
    "created_by": (_label("Created by", "创建人"), "user"),
    "updated_by": (_label("Updated by", "修改人"), "user"),
    "created_at": (_label("Created at", "创建时间"), "datetime"),
    "updated_at": (_label("Updated at", "修改时间"), "datetime"),
    "id": (_label("ID", "ID"), "number"),
}


def field_kind(field: Field, value_type: str) -> str | None:
    """The kind of comparison ``field`` takes (None: it cannot be compared, a sub-table)."""
    if field.type == "subtable":
        return None
    if field.type in KIND_BY_FIELD_TYPE:
        return KIND_BY_FIELD_TYPE[field.type]
    return value_type if value_type in VALUE_KINDS else "other"


def _options(field: Field) -> list[dict[str, Any]]:
    options = []
    for option in field.get("options") or []:
        label = option.get("label") or {}
        value = str(option["value"])
        entry: dict[str, Any] = {"value": value, "label": dict(label) or _label(value, value)}
        if option.get("color"):
            entry["color"] = str(option["color"])
        options.append(entry)
    return options


def condition_fields(
    app: AppModel, entity: Entity, registry: FieldTypeRegistry
) -> list[dict[str, Any]]:
    """The entity's fields in document order, then the system fields."""
    types = value_types(entity, FieldContext(app, entity, registry), registry)
    fields: list[dict[str, Any]] = []
    for f in entity.fields:
        kind = field_kind(f, types.get(f.name, "any"))
        if kind is None:
            continue
        entry: dict[str, Any] = {
            "name": f.name,
            "label": dict(f.label) or _label(f.name, f.name),
            "type": f.type,
            "kind": kind,
            "value_type": types.get(f.name, "any"),
            "system": False,
        }
        if f.type in ("select", "multiselect"):
            entry["options"] = _options(f)
        if f.type == "link" and f.has("target"):
            entry["target"] = str(f.get("target"))
        fields.append(entry)
    for name, (label, kind) in SYSTEM_FIELDS.items():
        fields.append(
            {
                "name": name,
                "label": label,
                "type": "user" if kind == "user" else kind,
                "kind": kind,
                "value_type": types[name],
                "system": True,
            }
        )
    return fields


def field_labels(fields: list[dict[str, Any]], lang: str) -> dict[str, str]:
    """Field name → its label in ``lang`` (for ``describe``)."""
    key = "zh" if lang.startswith("zh") else "en"
    return {
        f["name"]: str(f["label"].get(key) or f["label"].get("en") or f["name"]) for f in fields
    }


def option_labels(fields: list[dict[str, Any]], lang: str) -> dict[str, dict[str, str]]:
    """Choice field name → option value → its label in ``lang``."""
    key = "zh" if lang.startswith("zh") else "en"
    return {
        f["name"]: {
            o["value"]: str(o["label"].get(key) or o["label"].get("en") or o["value"])
            for o in f["options"]
        }
        for f in fields
        if "options" in f
    }
