"""Shared pieces of the SQL renderings (the rules they follow are in ``sql.py``): NULL tests
SQL cannot get wrong, numbers as Python converts them, argument checks.

Each renderer mirrors its Python twin in ``ops/*.py`` value by value, NULLs included; where
the Python meaning depends on data SQL cannot inspect, the renderer refuses.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from jimu.engines.expr import dates
from jimu.engines.expr.sql import SqlGen, SqlValue, bind
from jimu.engines.expr.values import numeric_text

Expr = ColumnElement[Any]
TRUE, FALSE = bind(True), bind(False)


def _is_null(value: SqlValue) -> Expr:
    """``value IS NULL``, parenthesised (SQLAlchemy writes ``NOT x IS NULL`` for ``(NOT x)
    IS NULL``, which PostgreSQL reads as ``NOT (x IS NULL)``); false when it cannot be null."""
    if value.is_const:
        return sa.true() if value.const is None else sa.false()
    if not value.nullable:
        return sa.false()
    return sa.Grouping(value.expr).is_(None)


def _not_null(value: SqlValue) -> Expr:
    if value.is_const:
        return sa.false() if value.const is None else sa.true()
    if not value.nullable:
        return sa.true()
    return sa.Grouping(value.expr).is_not(None)


def _const_bool(value: bool) -> SqlValue:
    return TRUE if value else FALSE


def _listed(gen: SqlGen, args: Any, pointer: str) -> list[Any]:
    if args.__class__ is not list:
        gen.refuse(pointer, "takes a list of arguments")
    return list(args)


def _exactly(gen: SqlGen, args: Any, pointer: str, count: int) -> list[SqlValue]:
    items = gen.args(args, pointer)
    if len(items) != count:
        gen.refuse(pointer, f"takes {count} argument(s)")
    return items


def _common_kind(gen: SqlGen, values: list[SqlValue], pointer: str) -> str:
    kinds = {v.kind for v in values} - {"null"}
    if len(kinds) > 1:
        gen.refuse(pointer, f"the branches mix {sorted(kinds)}; a SQL value has one type")
    if kinds & {"list", "other"}:
        gen.refuse(pointer, "a list value has no SQL form")
    return kinds.pop() if kinds else "null"


def _decimal_as_float(expr: Expr) -> Expr:
    """NUMERIC as double precision: Python computes and compares Decimal values as floats."""
    if isinstance(expr.type, sa.Numeric) and not isinstance(expr.type, sa.Float):
        return sa.cast(expr, sa.Float)
    return expr


def _as_number(value: SqlValue) -> Expr:
    """The number Python's ``to_number`` gives (null → 0, boolean → 0/1)."""
    if value.is_const:
        from jimu.engines.expr.values import to_number

        return sa.literal(to_number(value.const))
    expr = value.expr
    expr = sa.cast(expr, sa.Integer) if value.kind == "boolean" else _decimal_as_float(expr)
    return sa.func.coalesce(expr, 0) if value.nullable else expr


def _numeric(value: SqlValue) -> bool:
    if value.kind in ("number", "boolean"):
        return True
    return value.is_const and value.kind == "text" and numeric_text(value.const) is not None


def _number(expr: Expr, integer: bool) -> SqlValue:
    return SqlValue(expr, "number", False, integer)


def _as_column_time(literal: SqlValue, column: SqlValue) -> SqlValue:
    """A date-time literal bound the way ``column`` stores time: aware UTC for a
    ``timestamp with time zone``, naive UTC otherwise."""
    if not (literal.is_const and isinstance(literal.const, datetime)) or column.is_const:
        return literal
    if getattr(column.expr.type, "timezone", False):
        aware = dates.as_aware(literal.const)
        return SqlValue(sa.literal(aware, sa.DateTime(timezone=True)), "datetime", False,
                        const=aware)  # fmt: skip
    return literal
