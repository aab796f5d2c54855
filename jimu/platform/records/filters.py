"""JsonLogic filters over an entity's fields, compiled to SQL by the expression engine."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import sqlalchemy as sa

from jimu.engines.expr import ExprError, to_sql
from jimu.engines.form.model import SYSTEM_COLUMNS
from jimu.engines.form.sqltypes import UTCDateTime
from jimu.errors import FieldError, ValidationFailed
from jimu.platform.records.runtime import EntityRuntime


def sortable_column(rt: EntityRuntime, name: str) -> sa.ColumnElement[Any] | None:
    """The column of a field or system key that can be filtered and sorted, or None."""
    if name in rt.stored:
        return rt.table.c[rt.stored[name]]
    if name in SYSTEM_COLUMNS:
        return rt.table.c[name]
    return None


def _for_expr(column: sa.ColumnElement[Any]) -> sa.ColumnElement[Any]:
    """The column as the expression engine reads it (UTC timestamps as plain timestamps)."""
    if isinstance(column.type, UTCDateTime):
        return sa.type_coerce(column, sa.DateTime(timezone=True))
    return column


def filter_columns(
    rt: EntityRuntime, hidden: frozenset[str] = frozenset()
) -> dict[str, sa.ColumnElement[Any]]:
    """Field names (and system keys) → columns, what a filter's ``var`` may name (a hidden
    field is left out, so a filter naming it fails like one naming no field at all)."""
    columns: dict[str, sa.ColumnElement[Any]] = {}
    for name in [*rt.stored, *SYSTEM_COLUMNS]:
        if name in hidden:
            continue
        column = sortable_column(rt, name)
        if column is not None:
            columns[name] = _for_expr(column)
    return columns


#: Words that make a rule's SQL depend on the moment or the caller, so it is never reused.
_VOLATILE = ('"$', '"now"', '"today"', '"within_last"', '"within_next"')
_CACHE_LIMIT = 512
_clauses: dict[tuple[int, str], tuple[EntityRuntime, sa.ColumnElement[bool]]] = {}


def readable_code(error_type: str) -> str:
    """A JsonLogic error type as an error code: ``"Unknown Operator"`` → ``unknown_operator``."""
    words = "".join(c if c.isalnum() else " " for c in error_type.lower()).split()
    return "_".join(words) or "invalid"


def filter_clause(
    rt: EntityRuntime,
    logic: Mapping[str, Any],
    context: Any = None,
    *,
    hidden: frozenset[str] = frozenset(),
) -> sa.ColumnElement[bool]:
    """``logic`` as a WHERE condition; ValidationFailed (pointers into ``logic``) if it is bad.

    A list page asks for the same filter again and again: a rule that reads neither the clock
    nor the caller's context is rendered once per entity runtime and reused (SQLAlchemy
    expressions are immutable, and a reused one also hits SQLAlchemy's statement cache).
    """
    key = json.dumps([logic, sorted(hidden)], sort_keys=True, default=str)
    cacheable = context is None and not any(word in key for word in _VOLATILE)
    if cacheable:
        hit = _clauses.get((id(rt), key))
        if hit is not None and hit[0] is rt:
            return hit[1]
    try:
        clause: sa.ColumnElement[bool] = to_sql(
            dict(logic), filter_columns(rt, hidden), context, where=True
        )
    except ExprError as exc:
        error = FieldError(exc.pointer, exc.message, readable_code(exc.error_type))
        raise ValidationFailed("The filter is not valid.", [error]) from exc
    if cacheable:
        if len(_clauses) >= _CACHE_LIMIT:
            _clauses.clear()
        _clauses[(id(rt), key)] = (rt, clause)
    return clause
