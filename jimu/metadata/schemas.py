"""The published JSON Schema of every document kind (Draft 2020-12).

``document_schema(kind)`` is what the API serves and the builder uses. The entity schema is
generated from the field-type registry, so plugin types (and their own keys) are included.
"""

from __future__ import annotations

from typing import Any

from jimu.engines.form.registry import FieldTypeRegistry, default_registry
from jimu.metadata.public_form import PUBLIC_SECTION
from jimu.metadata.roles import role_properties

KINDS = ("app", "entity", "form", "role", "flow", "rule", "report", "dashboard")
NAME_PATTERN = "^[a-z][a-z0-9_]{0,62}$"
DIALECT = "https://json-schema.org/draft/2020-12/schema"

DEFS: dict[str, Any] = {
    "name": {"type": "string", "pattern": NAME_PATTERN},
    "label": {
        "type": "object",
        "properties": {"en": {"type": "string"}, "zh": {"type": "string"}},
        "additionalProperties": {"type": "string"},
        "minProperties": 1,
    },
}

COMMON_FIELD_KEYS: dict[str, Any] = {
    "name": {"$ref": "#/$defs/name"},
    "label": {"$ref": "#/$defs/label"},
    "description": {"$ref": "#/$defs/label"},
    "required": {"type": "boolean"},
    "unique": {"type": "boolean"},
    "readonly": {"type": "boolean"},
    "index": {"type": "boolean"},
    "default": {},
    "default_formula": {"type": "string", "minLength": 1},
    "min": {"type": ["number", "string"]},
    "max": {"type": ["number", "string"]},
    "min_length": {"type": "integer", "minimum": 0},
    "max_length": {"type": "integer", "minimum": 1},
    "pattern": {"type": "string", "format": "regex"},
    "help": {"$ref": "#/$defs/label"},
    "placeholder": {"$ref": "#/$defs/label"},
}


def _base(kind: str, title: str, properties: dict[str, Any], required: list[str]) -> dict[str, Any]:
    return {
        "$schema": DIALECT,
        "$id": f"urn:jimu:schema:{kind}",
        "title": title,
        "type": "object",
        "$defs": dict(DEFS),
        "properties": {"kind": {"const": kind}, **properties},
        "required": ["kind", *required],
        "additionalProperties": False,
    }


def field_schema(registry: FieldTypeRegistry) -> dict[str, Any]:
    branches = []
    for ftype in registry:
        branch: dict[str, Any] = {
            "if": {"properties": {"type": {"const": ftype.name}}, "required": ["type"]},
            "then": {"properties": dict(ftype.params)},
        }
        if ftype.required_params:
            branch["then"]["required"] = list(ftype.required_params)
        branches.append(branch)
    return {
        "type": "object",
        "properties": {**COMMON_FIELD_KEYS, "type": {"enum": registry.names()}},
        "required": ["name", "type"],
        "allOf": branches,
        "unevaluatedProperties": False,
    }


def entity_schema(registry: FieldTypeRegistry) -> dict[str, Any]:
    schema = _base(
        "entity",
        "Entity",
        {
            "name": {"$ref": "#/$defs/name"},
            "label": {"$ref": "#/$defs/label"},
            "description": {"$ref": "#/$defs/label"},
            "title_field": {"$ref": "#/$defs/name"},
            "fields": {"type": "array", "items": {"$ref": "#/$defs/field"}},
            "indexes": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "fields": {
                            "type": "array",
                            "items": {"type": "string"},
                            "minItems": 1,
                        },
                        "unique": {"type": "boolean"},
                        "name": {"$ref": "#/$defs/name"},
                    },
                    "required": ["fields"],
                    "additionalProperties": False,
                },
            },
        },
        ["name", "label", "fields"],
    )
    schema["$defs"]["field"] = field_schema(registry)
    return schema


def app_schema() -> dict[str, Any]:
    return _base(
        "app",
        "App",
        {
            "name": {"$ref": "#/$defs/name"},
            "label": {"$ref": "#/$defs/label"},
            "description": {"$ref": "#/$defs/label"},
            "icon": {"type": "string"},
            "menu": {"type": "array", "items": {"$ref": "#/$defs/name"}},
        },
        ["name", "label"],
    )


def form_schema() -> dict[str, Any]:
    section = {
        "type": "object",
        "properties": {
            "title": {"$ref": "#/$defs/label"},
            "columns": {"type": "integer", "minimum": 1, "maximum": 4},
            "fields": {"type": "array", "items": {"$ref": "#/$defs/name"}},
        },
        "required": ["fields"],
        "additionalProperties": False,
    }
    return _base(
        "form",
        "Form layout",
        {
            "entity": {"$ref": "#/$defs/name"},
            "name": {"$ref": "#/$defs/name"},
            "label": {"$ref": "#/$defs/label"},
            "sections": {"type": "array", "items": section},
            "public": PUBLIC_SECTION,
        },
        ["entity", "name", "sections"],
    )


def later_schema(kind: str) -> dict[str, Any]:
    """Flow, rule, report, dashboard: name and label are fixed here; their engines own the rest."""
    schema = _base(
        kind,
        kind.capitalize(),
        {
            "name": {"$ref": "#/$defs/name"},
            "label": {"$ref": "#/$defs/label"},
            "description": {"$ref": "#/$defs/label"},
        },
        ["name"],
    )
    schema["additionalProperties"] = True
    return schema


def document_schema(kind: str, registry: FieldTypeRegistry | None = None) -> dict[str, Any]:
    """The JSON Schema of documents of ``kind``."""
    if kind == "entity":
        return entity_schema(registry or default_registry())
    if kind == "app":
        return app_schema()
    if kind == "form":
        return form_schema()
    if kind == "role":
        return _base("role", "Role", role_properties(), ["name", "label"])
    if kind in KINDS:
        return later_schema(kind)
    raise ValueError(f"unknown document kind {kind!r}")
