"""The published JSON Schema of every document kind (Draft 2020-12).

``document_schema(kind)`` is what the API serves and the builder uses. The entity schema is
generated from the field-type registry, so plugin types (and their own keys) are included.
"""

from __future__ import annotations

from typing import Any

from jimu.engines.calendar import CALENDAR_SCHEMA
from jimu.engines.form.registry import FieldTypeRegistry, default_registry
from jimu.metadata.app_menu import COLOR_PATTERN, menu_item_defs
from jimu.metadata.pool import POOL_SECTION
from jimu.metadata.public_form import PUBLIC_SECTION
from jimu.metadata.roles import role_properties
from jimu.metadata.views import view_properties

KINDS = (
    "app",
    "entity",
    "form",
    "view",
    "role",
    "flow",
    "rule",
    "decision_table",
    "report",
    "dashboard",
)
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
        of_type = {"properties": {"type": {"const": ftype.name}}, "required": ["type"]}
        branches.append({"if": of_type, "then": {"properties": dict(ftype.params)}})
        if ftype.required_params:
            # A branch of its own: a param missing would otherwise fail the branch that
            # declares the others, and those given would be refused as "not allowed here".
            branches.append({"if": of_type, "then": {"required": list(ftype.required_params)}})
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
            "pool": POOL_SECTION,
        },
        ["name", "label", "fields"],
    )
    schema["$defs"]["field"] = field_schema(registry)
    return schema


def app_schema() -> dict[str, Any]:
    schema = _base(
        "app",
        "App",
        {
            "name": {"$ref": "#/$defs/name"},
            "label": {"$ref": "#/$defs/label"},
            "description": {"$ref": "#/$defs/label"},
            "icon": {"type": "string", "maxLength": 64},
            "color": {"type": "string", "pattern": COLOR_PATTERN},
            "menu": {"type": "array", "items": {"$ref": "#/$defs/menu_item"}},
            "time_zone": {"type": "string", "minLength": 1, "maxLength": 64},
            # working-day calendars by name (deadlines of flow tasks count in them)
            "calendars": {
                "type": "object",
                "propertyNames": {"pattern": NAME_PATTERN},
                "additionalProperties": CALENDAR_SCHEMA,
            },
            # the app's home page: a dashboard instead of the cards of its tables
            "home": {
                "type": "object",
                "properties": {"dashboard": {"$ref": "#/$defs/name"}},
                "required": ["dashboard"],
                "additionalProperties": False,
            },
        },
        ["name", "label"],
    )
    schema["$defs"].update(menu_item_defs())
    return schema


def form_schema() -> dict[str, Any]:
    section = {
        "type": "object",
        "properties": {
            "title": {"$ref": "#/$defs/label"},
            "columns": {"type": "integer", "minimum": 1, "maximum": 4},
            # Sections with the same tab label form one tab (docs/builder.md, "Form layouts").
            "tab": {"$ref": "#/$defs/label"},
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


def rule_schema() -> dict[str, Any]:
    """A rule: trigger, condition (JsonLogic), ordered actions (docs/rules.md)."""
    from jimu.engines.rule.document import rule_properties

    properties = {
        "name": {"$ref": "#/$defs/name"},
        "label": {"$ref": "#/$defs/label"},
        "description": {"$ref": "#/$defs/label"},
        **rule_properties(),
    }
    return _base("rule", "Rule", properties, ["name", "entity", "trigger", "actions"])


def report_schema() -> dict[str, Any]:
    """A report: a chart spec (dataset, dimensions, measures, filters, visual; docs/reports.md)."""
    from jimu.engines.report import REQUIRED, report_properties

    properties = {
        "name": {"$ref": "#/$defs/name"},
        "label": {"$ref": "#/$defs/label"},
        "description": {"$ref": "#/$defs/label"},
        **report_properties(),
    }
    return _base("report", "Chart", properties, [k for k in REQUIRED if k != "kind"])


def dashboard_schema() -> dict[str, Any]:
    """A dashboard: charts on a grid and the filters applied to them (docs/reports.md)."""
    from jimu.engines.report.dashboard import dashboard_properties

    properties = {
        "name": {"$ref": "#/$defs/name"},
        "label": {"$ref": "#/$defs/label"},
        "description": {"$ref": "#/$defs/label"},
        **dashboard_properties(),
    }
    return _base("dashboard", "Dashboard", properties, ["name", "items"])


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
    if kind == "rule":
        return rule_schema()
    if kind == "view":
        return _base("view", "List view", view_properties(), ["entity", "name", "type"])
    if kind == "decision_table":
        from jimu.engines.rule.decision_table import REQUIRED, decision_table_properties

        return _base(kind, "Decision table", decision_table_properties(), REQUIRED)
    if kind == "report":
        return report_schema()
    if kind == "flow":
        from jimu.engines.process.document import REQUIRED as FLOW_REQUIRED
        from jimu.engines.process.document import flow_properties

        properties = {
            "name": {"$ref": "#/$defs/name"},
            "label": {"$ref": "#/$defs/label"},
            "description": {"$ref": "#/$defs/label"},
            **flow_properties(),
        }
        return _base("flow", "Flow", properties, FLOW_REQUIRED)
    if kind == "dashboard":
        return dashboard_schema()
    raise ValueError(f"unknown document kind {kind!r}")
