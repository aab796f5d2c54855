"""Rule → SQLAlchemy expression, selecting exactly the rows the Python evaluation accepts.

SQL's three-valued logic is never let through: every condition is rendered two-valued (a
NULL comparison becomes false, or true where Python says so), so ``NOT`` and ``OR`` agree
with Python. Operators whose Python meaning has no faithful SQL form are refused with an
``ExprError`` naming the operator and the reason (error type ``"No SQL Form"``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, NoReturn

import sqlalchemy as sa
from sqlalchemy.sql.elements import ColumnElement

from jimu.engines.expr.codegen import UNEXPECTED, as_expr_error, escape
from jimu.engines.expr.errors import ExprError
from jimu.engines.expr.ops.data import dotted, now_of, read_context, today_of
from jimu.engines.expr.values import truthy

_NO_VALUE: Any = object()
KINDS = ("number", "text", "boolean", "date", "datetime", "null", "list")


@dataclass(frozen=True)
class SqlValue:
    """A rendered value: its SQL, the kind of value, whether it can be NULL, whether it is an
    integer, and the Python value when it is a literal."""

    expr: ColumnElement[Any]
    kind: str
    nullable: bool = True
    integer: bool = False
    const: Any = _NO_VALUE
    #: For a condition: the same test without the two-valued wrapping, NULL where it is false.
    #: Only for WHERE clauses, where NULL and false mean the same and indexes can then be used.
    cond: ColumnElement[Any] | None = None

    @property
    def is_const(self) -> bool:
        return self.const is not _NO_VALUE


SqlRenderer = Callable[["SqlGen", Any, str], SqlValue]


def column_kind(column: ColumnElement[Any]) -> tuple[str, bool]:
    """The value kind of a column and whether it holds integers."""
    column_type = column.type
    if isinstance(column_type, sa.Boolean):
        return "boolean", False
    if isinstance(column_type, sa.Integer):
        return "number", True
    if isinstance(column_type, sa.Numeric | sa.Float):
        return "number", False
    if isinstance(column_type, sa.DateTime):
        return "datetime", False
    if isinstance(column_type, sa.Date):
        return "date", False
    if isinstance(column_type, sa.String):
        return "text", False
    return "other", False


def bind(value: Any) -> SqlValue:
    """A literal."""
    if value is None:
        return SqlValue(sa.null(), "null", True, const=None)
    if value.__class__ is bool:
        return SqlValue(sa.literal(value, sa.Boolean()), "boolean", False, const=value)
    if value.__class__ is int:
        return SqlValue(sa.literal(value, sa.BigInteger()), "number", False, True, value)
    if value.__class__ is float:
        return SqlValue(sa.literal(value, sa.Float()), "number", False, const=value)
    if value.__class__ is str:
        return SqlValue(sa.literal(value, sa.Text()), "text", False, const=value)
    if isinstance(value, datetime):
        naive = value.astimezone(UTC).replace(tzinfo=None) if value.tzinfo else value
        return SqlValue(sa.literal(naive, sa.DateTime()), "datetime", False, const=value)
    if isinstance(value, date):
        return SqlValue(sa.literal(value, sa.Date()), "date", False, const=value)
    if value.__class__ is list:
        return SqlValue(sa.null(), "list", False, const=value)
    return SqlValue(sa.null(), "other", False, const=value)


def boolean(expr: ColumnElement[Any], where: ColumnElement[Any] | None = None) -> SqlValue:
    """A two-valued condition: ``expr`` when true, false when false *or NULL*.

    ``where`` is an equivalent test that may be NULL where ``expr`` is false (a bare
    ``column = 5`` instead of ``coalesce(column, 0) = 5``), for WHERE clauses and their indexes.
    """
    two_valued = sa.case((expr, sa.true()), else_=sa.false())
    return SqlValue(two_valued, "boolean", False, cond=expr if where is None else where)


class SqlGen:
    def __init__(self, columns: Mapping[str, ColumnElement[Any]], context: Any) -> None:
        self.columns = columns
        self.context = context if context is not None else {}
        self.now = now_of(self.context)
        self.today = today_of(self.context)

    def refuse(self, pointer: str, message: str) -> NoReturn:
        raise ExprError(message, pointer=pointer, error_type="No SQL Form")

    def render(self, rule: Any, pointer: str, want_truth: bool = False) -> SqlValue:
        """``rule`` as SQL. ``want_truth``: only the value's truthiness will be used (lets
        ``and``/``or`` render as conditions)."""
        from jimu.engines.expr.operators import NoSql, sql_renderer

        if rule.__class__ is dict:
            if len(rule) != 1:
                self.refuse(pointer, "an operation has exactly one key")
            ((op, args),) = rule.items()
            renderer = sql_renderer(op)
            if renderer is None:
                raise ExprError(
                    f"unknown operator {op!r}", pointer=pointer, error_type="Unknown Operator"
                )
            here = f"{pointer}/{escape(op)}"
            if isinstance(renderer, NoSql):
                self.refuse(here, f"{op!r} has no faithful SQL form: {renderer.reason}")
            if want_truth and op in ("and", "or", "if", "?:"):
                truth_result: SqlValue = renderer(self, args, here, True)
                return truth_result
            result: SqlValue = renderer(self, args, here)
            return result
        if rule.__class__ is list:
            items = [self.render(item, f"{pointer}/{i}") for i, item in enumerate(rule)]
            if not all(item.is_const for item in items):
                self.refuse(pointer, "a list of fields has no SQL form")
            return bind([item.const for item in items])
        return bind(rule)

    def args(self, args: Any, pointer: str) -> list[SqlValue]:
        if args.__class__ is list:
            return [self.render(arg, f"{pointer}/{i}") for i, arg in enumerate(args)]
        return [self.render(args, pointer)]

    def field(self, path: Any, pointer: str) -> SqlValue:
        """A ``var``: a column of ``columns``, or a ``$``-value of the context (a literal)."""
        keys = dotted(path)
        name = ".".join(str(key) for key in keys)
        if name.startswith("$"):
            return bind(read_context(self.context, (keys[0][1:], *keys[1:])))
        column = self.columns.get(name)
        if column is None:
            known = ", ".join(sorted(self.columns)) or "none"
            self.refuse(pointer, f"unknown field {name!r} (known: {known})")
        kind, integer = column_kind(column)
        if kind == "other":
            self.refuse(pointer, f"field {name!r} has a column type with no expression form")
        return SqlValue(column, kind, True, integer)

    def condition(self, value: SqlValue) -> ColumnElement[Any]:
        """``value``'s truth for a WHERE clause: true exactly where Python is truthy, false or
        NULL elsewhere (a plain ``status = 'new'`` an index can serve, not a CASE around it)."""
        return value.cond if value.cond is not None else self.truth(value)

    def truth(self, value: SqlValue) -> ColumnElement[Any]:
        """The JsonLogic truthiness of ``value`` as a two-valued condition."""
        if value.is_const:
            return sa.true() if truthy(value.const) else sa.false()
        expr = value.expr
        if value.kind == "boolean":
            return expr if not value.nullable else sa.and_(sa.Grouping(expr).is_not(None), expr)
        if value.kind == "number":
            return sa.func.coalesce(expr, 0) != 0
        if value.kind == "text":
            return sa.func.coalesce(expr, "") != ""
        if value.kind in ("date", "datetime"):
            return sa.Grouping(expr).is_not(None)
        raise ExprError(f"cannot test a {value.kind} for truth in SQL", error_type="No SQL Form")


def to_sql(
    rule: Any,
    columns: Mapping[str, ColumnElement[Any]],
    context: Any = None,
    *,
    as_condition: bool = True,
    where: bool = False,
) -> ColumnElement[Any]:
    """``rule`` as a SQLAlchemy expression over ``columns`` (field name → column).

    With ``as_condition`` (the default) the result is a two-valued boolean that is true exactly
    for the rows whose Python evaluation is truthy; otherwise it is the rule's value.
    With ``where`` the condition may be NULL where it is false: use it only where NULL and
    false mean the same (WHERE, HAVING, JOIN ON); it keeps comparisons bare so indexes serve them.
    ``context`` gives the ``$``-values (``$user``, ``$now``, ``$today``), bound as literals.
    Raises ``ExprError`` (type ``"No SQL Form"``) for what SQL cannot render faithfully.
    """
    gen = SqlGen(columns, context)
    try:
        value = gen.render(rule, "", want_truth=as_condition)
    except UNEXPECTED as exc:
        raise as_expr_error(exc) from exc
    if as_condition:
        return gen.condition(value) if where else gen.truth(value)
    if value.kind in ("list", "other"):
        gen.refuse("", "a list value has no SQL form")
    return value.expr
