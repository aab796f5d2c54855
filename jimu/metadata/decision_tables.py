"""Decision table documents against their app: what checking one needs of the entities."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa

from jimu.engines.form.model import AppModel
from jimu.engines.form.registry import FieldTypeRegistry
from jimu.engines.form.types.base import FieldContext, InvalidValue
from jimu.engines.rule.decision_table import TableReport, TableScope, table_report

#: System columns holding whole numbers (ids, versions).
_WHOLE_SYSTEM = frozenset({"id", "version", "owner_id", "created_by", "updated_by"})


def table_scope(app: AppModel, registry: FieldTypeRegistry) -> TableScope:
    """Every entity's value types, its select fields' options and its whole-number fields."""
    from jimu.metadata.validate import value_types

    types: dict[str, dict[str, str]] = {}
    choices: dict[str, dict[str, tuple[str, ...]]] = {}
    integers: dict[str, frozenset[str]] = {}
    for name, entity in app.entities.items():
        ctx = FieldContext(app, entity, registry)
        types[name] = value_types(entity, ctx, registry)
        choices[name] = {
            f.name: tuple(str(o.get("value")) for o in f.get("options") or [])
            for f in entity.fields
            if f.type == "select"
        }
        whole = set(_WHOLE_SYSTEM)
        for f in entity.fields:
            if f.type not in registry or not registry.get(f.type).stores_column(f):
                continue
            try:
                column_type = registry.get(f.type).column_type(f, ctx)
            except (InvalidValue, KeyError, ValueError):
                continue
            if isinstance(column_type, sa.Integer):
                whole.add(f.name)
        integers[name] = frozenset(whole)
    return TableScope(types, choices, integers)


def decision_table_report(
    table: Mapping[str, Any], app: AppModel, registry: FieldTypeRegistry
) -> TableReport:
    """Errors and warnings of a schema-valid decision table in ``app``."""
    return table_report(table, table_scope(app, registry))
