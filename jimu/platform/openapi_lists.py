"""The query parameters of an entity's record list, described as tightly as JSON Schema can.

``sort`` and ``fields`` name the entity's own fields (and the system keys), so their schemas
are patterns over exactly those names. ``filter`` is JSON in the query string: its parameter
is content-encoded (``application/json``) with the shape of a JsonLogic condition (one object
whose key is an operator with a SQL form, or ``{}`` for no condition). What JSON Schema cannot
say compactly (each operator's arity and the types of its operands, checked by the expression
engine) is in the description; such a filter is a 422 pointing into ``/filter``.
"""

from __future__ import annotations

import re
from typing import Any

from jimu.engines.expr.operators import OPERATORS, NoSql
from jimu.engines.form.model import SYSTEM_COLUMNS, Entity
from jimu.engines.form.patterns import SPACE
from jimu.engines.form.registry import FieldTypeRegistry

#: Operators a filter may use: those the expression engine can turn into SQL.
FILTER_OPERATORS = sorted(name for name, op in OPERATORS.items() if not isinstance(op.sql, NoSql))


def stored_names(
    entity: Entity, registry: FieldTypeRegistry, hidden: frozenset[str] = frozenset()
) -> list[str]:
    """Fields with a column, then the system keys: what can be sorted and filtered (a field
    hidden from the caller is as unknown as one that does not exist)."""
    fields = [f.name for f in entity.fields if registry.get(f.type).stores_column(f)]
    names = fields + [name for name in SYSTEM_COLUMNS if name not in fields]
    return [name for name in names if name not in hidden]


def selectable_names(entity: Entity, hidden: frozenset[str] = frozenset()) -> list[str]:
    """What ``fields`` may name: every field (stored or not) and the system keys."""
    fields = [f.name for f in entity.fields]
    names = fields + [name for name in SYSTEM_COLUMNS if name not in fields]
    return [name for name in names if name not in hidden]


def _alternatives(names: list[str]) -> str:
    return "|".join(re.escape(name) for name in names)


def _comma_list(item: str) -> dict[str, Any]:
    """Comma-separated items; blanks around an item and empty items are ignored (as the
    server reads it: ``split_list`` in api/record_queries.py)."""
    part = rf"{SPACE}*(?:{item})?{SPACE}*"
    return {"type": "string", "pattern": f"^{part}(?:,{part})*$"}


def sort_schema(names: list[str]) -> dict[str, Any]:
    return _comma_list(f"[-+]*(?:{_alternatives(names)})")


def fields_schema(names: list[str]) -> dict[str, Any]:
    return _comma_list(_alternatives(names))


FILTER_SCHEMA: dict[str, Any] = {
    "type": "object",
    "maxProperties": 1,
    "propertyNames": {"enum": FILTER_OPERATORS},
}


def list_parameters(
    entity: Entity, registry: FieldTypeRegistry, hidden: frozenset[str] = frozenset()
) -> list[dict[str, Any]]:
    """The list route's parameters; ``hidden``: fields the caller may not see."""
    stored = stored_names(entity, registry, hidden)
    return [
        {
            "name": "filter",
            "in": "query",
            "content": {"application/json": {"schema": FILTER_SCHEMA}},
            "description": (
                'A JsonLogic condition as JSON, e.g. {"==": [{"var": "status"}, "new"]}; '
                "`var` names one of the sortable fields. Each operator's arguments must fit "
                "it (count and types), else 422 at /filter/..."
            ),
        },
        {
            "name": "sort",
            "in": "query",
            "schema": sort_schema(stored),
            "description": "Comma-separated fields, '-' for descending: -amount,name",
        },
        {
            "name": "limit",
            "in": "query",
            "schema": {"type": "integer", "minimum": 1, "maximum": 1000, "default": 50},
        },
        {
            "name": "cursor",
            "in": "query",
            "schema": {"type": "string"},
            "description": "next_cursor of the previous page (any other value is a 422)",
        },
        {
            "name": "fields",
            "in": "query",
            "schema": fields_schema(selectable_names(entity, hidden)),
            "description": "Comma-separated fields to return (id and version always come)",
        },
        {"name": "count", "in": "query", "schema": {"type": "boolean", "default": False}},
    ]
