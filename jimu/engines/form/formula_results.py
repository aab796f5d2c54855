"""The type a formula field stores and shows: its ``returns``, else the type of its formula.

A formula field without ``returns`` takes the type the expression engine infers for its
formula from the types of the fields it reads (``CONCAT(name, "!")`` is a text,
``amount * 2`` a number, ``due_date + 1`` a date). Its column, the record API and the record
page then agree with what the formula editor says it gives. A formula whose type cannot be
known statically (``IF(x, NULL, NULL)``, a field of unknown type) is stored as a number, as
before ``returns`` was inferred.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

import sqlalchemy as sa

from jimu.engines.expr import ExprError, infer_type
from jimu.engines.expr.formula import parse_formula
from jimu.engines.expr.sql import column_kind
from jimu.engines.form.formulas import variables
from jimu.engines.form.model import Field
from jimu.engines.form.types.base import FieldContext, InvalidValue
from jimu.errors import JimuError

#: The value types of the system columns, as the expression language knows them.
SYSTEM_VALUE_TYPES = {
    "id": "number",
    "version": "number",
    "owner_id": "number",
    "created_by": "number",
    "updated_by": "number",
    "created_at": "datetime",
    "updated_at": "datetime",
    "deleted_at": "datetime",
}

#: The ``returns`` of each type the expression engine infers; anything else is a number.
RESULT_OF_VALUE_TYPE = {
    "number": "number",
    "text": "text",
    "boolean": "boolean",
    "date": "date",
    "datetime": "datetime",
}
UNKNOWN_RESULT = "number"

#: The (entity, field) formulas being inferred in this thread: one that reads itself, or a
#: cycle of formulas, reads as "any" instead of recursing for ever.
_INFERRING: ContextVar[frozenset[tuple[str, str]]] = ContextVar("_INFERRING", default=frozenset())


@contextmanager
def _inferring(key: tuple[str, str]) -> Iterator[None]:
    token = _INFERRING.set(_INFERRING.get() | {key})
    try:
        yield
    finally:
        _INFERRING.reset(token)


def result_of_value_type(value_type: str) -> str:
    """The ``returns`` a formula of expression type ``value_type`` is stored as."""
    return RESULT_OF_VALUE_TYPE.get(value_type, UNKNOWN_RESULT)


def value_type_of(field: Field, ctx: FieldContext) -> str:
    """The value type of ``field`` as the expression language knows it ("any" if unknown)."""
    registry = ctx.registry
    if field.type not in registry or not registry.get(field.type).stores_column(field):
        return "any"
    if (ctx.entity.name, field.name) in _INFERRING.get():
        return "any"
    try:
        column_type = registry.get(field.type).column_type(field, ctx)
    except (InvalidValue, KeyError, ValueError, ExprError, JimuError, RecursionError):
        return "any"  # a field that references badly (its problem is reported elsewhere)
    kind, _ = column_kind(sa.column(field.name, column_type))
    return kind if kind != "other" else "any"


def inferred_type(field: Field, ctx: FieldContext) -> str:
    """The type the expression engine infers for the field's formula ("any" if unknown)."""
    try:
        rule: Any = parse_formula(str(field.get("formula", "")))
    except ExprError:
        return "any"
    with _inferring((ctx.entity.name, field.name)):
        types: dict[str, str] = {}
        for name in variables(rule):
            if name in SYSTEM_VALUE_TYPES:
                types[name] = SYSTEM_VALUE_TYPES[name]
                continue
            read = ctx.entity.field(name)
            types[name] = value_type_of(read, ctx) if read is not None else "any"
        return infer_type(rule, types)


def formula_returns(field: Field, ctx: FieldContext) -> str:
    """What the formula field stores: its ``returns``, else its formula's inferred type."""
    given = field.get("returns")
    if given:
        return str(given)
    return result_of_value_type(inferred_type(field, ctx))
