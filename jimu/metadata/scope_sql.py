"""Whether a scope condition can be the SQL of its entity's table.

``check(..., require_sql=True)`` knows which operators have a SQL form, but not what the
columns make of them: a date-time column compared with text, or cut to a month on a
``timestamp with time zone`` column, has none, and ``to_sql`` refuses it only when it sees
the columns. A scope is part of every list of its holders, so such a condition must be refused
when the role is published, not on every list. ``scope_sql_errors`` renders the condition over
the columns the records service reads (``jimu/platform/records/filters.py``: UTC timestamps as
timestamps with time zone) with a ``$user`` value of the right type for every key.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa

from jimu.engines.expr import ExprError, to_sql
from jimu.engines.form.model import AppModel, Entity
from jimu.engines.form.registry import FieldTypeRegistry
from jimu.engines.form.sqltypes import UTCDateTime
from jimu.engines.form.tables import build_entity_table
from jimu.errors import FieldError

#: A value of each ``$user`` type while rendering.
_SAMPLES: dict[str, Any] = {"number": 1, "text": "x", "boolean": False, "list": [1, 2]}


def sample_user(types: Mapping[str, str]) -> dict[str, Any]:
    """A ``$user`` context with a value of the right type for each ``user.…`` key."""
    return {path.removeprefix("user."): _SAMPLES.get(kind, 1) for path, kind in types.items()}


def sql_columns(app: AppModel, entity: Entity, registry: FieldTypeRegistry) -> dict[str, Any]:
    """Field and system names → the columns a scope or list filter is rendered over."""
    built = build_entity_table(app, entity, registry, sa.MetaData(), foreign_keys=False)
    table = built.table
    names = {
        **built.columns,
        **{c.name: c.name for c in table.columns if c.name not in built.columns.values()},
    }
    columns: dict[str, Any] = {}
    for name, column_name in names.items():
        column: Any = table.c[column_name]
        if isinstance(column.type, UTCDateTime):
            column = sa.type_coerce(column, sa.DateTime(timezone=True))
        columns[name] = column
    return columns


def scope_sql_errors(
    condition: Any, columns: Mapping[str, Any], user_types: Mapping[str, str]
) -> list[FieldError]:
    """The error of rendering ``condition`` as SQL over ``columns`` (none when it renders)."""
    context = {"user": sample_user(user_types), "today": "2000-01-01"}
    try:
        to_sql(condition, dict(columns), context, where=True)
    except ExprError as exc:
        code = "_".join("".join(c if c.isalnum() else " " for c in exc.error_type.lower()).split())
        return [FieldError(exc.pointer, exc.message, code or "no_sql_form")]
    return []
