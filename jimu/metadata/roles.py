"""Role documents: what a role of an app may do with each entity (see docs/access.md).

A role names, per entity, the actions it allows, the data scope of reads and of writes, to
whom its holders may assign records (``assign_to``), and field rules (hidden / read-only /
editable). ``role_schema()`` is the published JSON Schema;
``role_errors(role, app)`` the checks the schema cannot make (entities, fields and scope
conditions that name what exists).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from jimu.engines.expr import check
from jimu.engines.form.model import AppModel
from jimu.engines.form.registry import FieldTypeRegistry
from jimu.engines.form.types.base import FieldContext
from jimu.errors import FieldError
from jimu.metadata.scope_sql import scope_sql_errors, sql_columns

ACTIONS = ("create", "read", "update", "delete", "export", "import")
SCOPE_KINDS = ("own", "department", "department_tree", "all")
FIELD_RULES = ("hidden", "read_only", "editable")
#: To whom a role's holders may assign records (``assign_to``), from the narrowest; ``self``
#: (the default) lets them own records themselves only.
ASSIGN_KINDS = ("self", "department", "department_tree", "anyone")
#: App admin rights and the document kinds each lets its holder design and publish.
DESIGN_RIGHTS = {
    # The app document itself: its labels, icon, colour and menu (the app designer).
    "app": ("app",),
    "forms": ("entity", "form", "view"),
    "flows": ("flow",),
    "rules": ("rule", "decision_table"),
    "reports": ("report", "dashboard"),
}

#: The type of each ``$user`` value a scope condition may read.
USER_CONTEXT_TYPES = {
    "user.id": "number",
    "user.username": "text",
    "user.department_ids": "list",
    "user.main_department_id": "number",
    "user.department_and_descendant_ids": "list",
    "user.led_department_ids": "list",
    "user.manager_id": "number",
    "user.is_admin": "boolean",
    "user.department_member_ids": "list",
    "user.department_tree_member_ids": "list",
    "user.report_ids": "list",
}


def role_properties() -> dict[str, Any]:
    """The properties of a role document (``kind``, ``name``, ``label`` come from the base)."""
    scope_item = {
        "oneOf": [
            {"enum": list(SCOPE_KINDS)},
            {
                "type": "object",
                "properties": {"condition": {"type": "object"}},
                "required": ["condition"],
                "additionalProperties": False,
            },
        ]
    }
    scope = {"oneOf": [scope_item, {"type": "array", "items": scope_item, "minItems": 1}]}
    entity_rules = {
        "type": "object",
        "properties": {
            "actions": {
                "type": "array",
                "items": {"enum": list(ACTIONS)},
                "uniqueItems": True,
            },
            "scope": scope,
            "write_scope": scope,
            "assign_to": {"enum": list(ASSIGN_KINDS)},
            "fields": {
                "type": "object",
                "propertyNames": {"$ref": "#/$defs/name"},
                "additionalProperties": {"enum": list(FIELD_RULES)},
            },
        },
        "required": ["actions"],
        "additionalProperties": False,
    }
    return {
        "name": {"$ref": "#/$defs/name"},
        "label": {"$ref": "#/$defs/label"},
        "description": {"$ref": "#/$defs/label"},
        "app_admin": {
            "type": "array",
            "items": {"enum": list(DESIGN_RIGHTS)},
            "uniqueItems": True,
        },
        "entities": {
            "type": "object",
            "propertyNames": {"$ref": "#/$defs/name"},
            "additionalProperties": entity_rules,
        },
    }


def scope_items(scope: Any) -> list[Any]:
    """A scope as a list of its items (a single item or a list of them, ORed)."""
    if scope is None:
        return ["all"]
    return list(scope) if isinstance(scope, list) else [scope]


def role_errors(
    role: Mapping[str, Any], app: AppModel, registry: FieldTypeRegistry
) -> list[FieldError]:
    """Entities and fields the role names must exist; conditions must check against them and
    render as the SQL of the entity's table (a scope is part of every query's WHERE)."""
    from jimu.metadata.validate import value_types

    errors: list[FieldError] = []
    for entity_name, rules in dict(role.get("entities", {})).items():
        base = f"/entities/{entity_name}"
        entity = app.entities.get(entity_name)
        if entity is None:
            errors.append(FieldError(base, f"there is no entity {entity_name!r}", "reference"))
            continue
        for field_name in dict(rules.get("fields", {})):
            if entity.field(field_name) is None:
                errors.append(
                    FieldError(
                        f"{base}/fields/{field_name}",
                        f"{entity_name} has no field {field_name!r}",
                        "reference",
                    )
                )
        types = value_types(entity, FieldContext(app, entity, registry), registry)
        columns: dict[str, Any] | None = None
        for key in ("scope", "write_scope"):
            if key not in rules:
                continue
            listed = isinstance(rules[key], list)
            for i, item in enumerate(scope_items(rules[key])):
                if not isinstance(item, Mapping):
                    continue
                at = f"{base}/{key}/{i}" if listed else f"{base}/{key}"
                problems = check(item["condition"], types, USER_CONTEXT_TYPES, require_sql=True)
                if not problems:
                    columns = columns or sql_columns(app, entity, registry)
                    problems = scope_sql_errors(item["condition"], columns, USER_CONTEXT_TYPES)
                for problem in problems:
                    errors.append(
                        FieldError(
                            f"{at}/condition{problem.pointer}", problem.message, problem.code
                        )
                    )
    return errors
