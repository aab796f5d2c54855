"""SQL renderings of the comparisons ``== != === !== < <= > >=`` (two-valued, NULLs as Python
treats them)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from itertools import pairwise
from typing import Any

import sqlalchemy as sa

from jimu.engines.expr import dates
from jimu.engines.expr.ops.compare import loose_ne, strict_ne
from jimu.engines.expr.ops.sql_base import (
    Expr,
    _as_column_time,
    _as_number,
    _decimal_as_float,
    _is_null,
    _listed,
    _not_null,
    _numeric,
)
from jimu.engines.expr.sql import SqlGen, SqlValue, bind, boolean
from jimu.engines.expr.sql_functions import (
    CodepointOrder,
)
from jimu.engines.expr.values import ge, gt, le, loose_eq, lt, numeric_text, strict_eq

# -- comparison ---------------------------------------------------------------------------------
_ORDER = {"<": "__lt__", "<=": "__le__", ">": "__gt__", ">=": "__ge__"}
_PY = {
    "==": loose_eq,
    "!=": loose_ne,
    "===": strict_eq,
    "!==": strict_ne,
    "<": lt,
    "<=": le,
    ">": gt,
    ">=": ge,
}


def _temporal_literal(gen: SqlGen, value: SqlValue, kind: str, pointer: str) -> SqlValue:
    """An ISO text literal compared with a date column, as a date."""
    if value.kind == kind:
        return value
    if value.is_const and value.kind == "text":
        parsed = dates.parse_temporal(value.const)
        if parsed is None:
            gen.refuse(pointer, f"{value.const!r} is not a date")
        if isinstance(parsed, datetime) == (kind == "datetime"):
            return bind(parsed)
    gen.refuse(pointer, f"comparing a {kind} with a {value.kind} has no faithful SQL form")


def _both_null(a: SqlValue, b: SqlValue) -> Expr:
    if not (a.nullable and b.nullable):
        return sa.false()
    return sa.and_(
        _is_null(a),
        _is_null(b),
    )


def _loose(gen: SqlGen, a: SqlValue, b: SqlValue, op: str, pointer: str) -> Expr:
    """``==`` / ordering of two non-constant-pair values, two-valued."""
    kinds = {a.kind, b.kind}
    if "null" in kinds:
        other = b if a.kind == "null" else a
        if other.kind == "null":
            return sa.true() if op in ("==", "<=", ">=") else sa.false()
        if other.kind in ("number", "boolean"):
            left, right = (
                (sa.literal(0), _as_number(other))
                if a.kind == "null"
                else (_as_number(other), sa.literal(0))
            )
            return _apply(op, left, right)
        if op == "==" and other.kind in ("text", "date", "datetime"):
            return _is_null(other)
        if other.kind in ("date", "datetime"):
            # Python: a null date is unordered against null… except that two nulls compare
            # as numbers (0 and 0).
            return _is_null(other) if op in ("<=", ">=") else sa.false()
        gen.refuse(pointer, "ordering text against null depends on whether the text is numeric")
    if kinds <= {"text"}:
        return _text_compare(gen, a, b, op, pointer)
    if kinds & {"date", "datetime"}:
        kind = "datetime" if "datetime" in kinds else "date"
        a = _temporal_literal(gen, a, kind, pointer)
        b = _temporal_literal(gen, b, kind, pointer)
        a, b = _as_column_time(a, b), _as_column_time(b, a)
        compared = sa.and_(_not_null(a), _not_null(b), _apply(op, a.expr, b.expr))
        if op in ("==", "<=", ">="):
            # Python: two nulls compare as numbers (0 and 0).
            return sa.or_(compared, _both_null(a, b))
        return compared
    if _numeric(a) and _numeric(b):
        text_side = a if a.kind == "text" else (b if b.kind == "text" else None)
        if text_side is not None and op == "==":
            other = b if text_side is a else a
            # Python: null never equals text, even numeric text.
            present = _not_null(other)
            return sa.and_(present, _apply(op, _as_number(a), _as_number(b)))
        return _apply(op, _as_number(a), _as_number(b))
    gen.refuse(
        pointer,
        f"comparing a {a.kind} with a {b.kind} has no faithful SQL form "
        "(Python converts text to a number and fails on non-numeric text)",
    )


def _apply(op: str, left: Any, right: Any) -> Expr:
    if op == "==":
        result: Expr = left == right
    else:
        result = getattr(left, _ORDER[op])(right)
    return result


def _text_compare(gen: SqlGen, a: SqlValue, b: SqlValue, op: str, pointer: str) -> Expr:
    present = sa.and_(
        _not_null(a),
        _not_null(b),
    )
    if op == "==":
        return sa.or_(sa.and_(present, a.expr == b.expr), _both_null(a, b))
    for value, other in ((a, b), (b, a)):
        if value.nullable and not value.is_const:
            # Python orders null against text as 0 against a number when the text is numeric.
            if other.is_const and numeric_text(other.const) is None:
                continue
            gen.refuse(
                pointer,
                "ordering a text field that may be null against text that may "
                "be numeric has no faithful SQL form",
            )
    left, right = CodepointOrder(a.expr), CodepointOrder(b.expr)
    return sa.and_(present, _apply(op, left, right))


def _strict(gen: SqlGen, a: SqlValue, b: SqlValue) -> Expr:
    same = a.kind == b.kind
    if a.kind == "null" or b.kind == "null":
        other = b if a.kind == "null" else a
        return sa.true() if other.kind == "null" else _is_null(other)
    if not same:
        return _both_null(a, b)
    left: Any = CodepointOrder(a.expr) if a.kind == "text" else _decimal_as_float(a.expr)
    right: Any = CodepointOrder(b.expr) if b.kind == "text" else _decimal_as_float(b.expr)
    return sa.or_(sa.and_(_not_null(a), _not_null(b), left == right), _both_null(a, b))


def _pair(gen: SqlGen, op: str, a: SqlValue, b: SqlValue, pointer: str) -> Expr:
    if a.is_const and b.is_const:
        try:
            return sa.true() if _PY[op](a.const, b.const) else sa.false()
        except Exception:
            gen.refuse(pointer, "this comparison fails in Python (error NaN)")
    for value in (a, b):
        if value.kind in ("list", "other"):
            gen.refuse(pointer, "lists cannot be compared")
    if op in ("===", "!=="):
        result = _strict(gen, a, b)
        return sa.not_(result) if op == "!==" else result
    if op == "!=":
        return sa.not_(_loose(gen, a, b, "==", pointer))
    return _loose(gen, a, b, op, pointer)


_FLIPPED = {"==": "==", "<": ">", "<=": ">=", ">": "<", ">=": "<="}


def _bare(op: str, a: SqlValue, b: SqlValue) -> Expr | None:
    """The pair as a bare ``column OP literal`` that may be NULL where false (for WHERE clauses
    and their indexes), or None when there is no such form.

    A nullable number column compares as ``coalesce(column, 0)``: the bare comparison is NULL
    for a NULL column, so ``column IS NULL`` is added exactly when ``0 OP literal`` holds. Text
    equality with a literal is already false for NULL in Python.
    """
    if op not in _FLIPPED:
        return None
    if a.is_const and not b.is_const:
        a, b, op = b, a, _FLIPPED[op]
    if a.is_const or not b.is_const:
        return None
    literal = b.const
    if a.kind == "text" and op == "==" and literal.__class__ is str:
        return a.expr == b.expr
    if a.kind != "number" or not (literal is None or literal.__class__ in (int, float)):
        return None
    number = 0 if literal is None else literal
    bare = _apply(op, a.expr, sa.literal(number))
    if a.nullable and _PY[op](0, number):
        return sa.or_(bare, sa.Grouping(a.expr).is_(None))
    return bare


def _comparison(op: str) -> Callable[[SqlGen, Any, str], SqlValue]:
    def render(gen: SqlGen, args: Any, pointer: str) -> SqlValue:
        items = gen.args(_listed(gen, args, pointer), pointer)
        if len(items) < 2:
            gen.refuse(pointer, "a comparison takes at least two arguments")
        tests = [_pair(gen, op, a, b, pointer) for a, b in pairwise(items)]
        bare = [_bare(op, a, b) for a, b in pairwise(items)]
        where = [b if b is not None else t for b, t in zip(bare, tests, strict=True)]
        return boolean(sa.and_(*tests), sa.and_(*where))

    return render


sql_eq = _comparison("==")
sql_ne = _comparison("!=")
sql_strict_eq = _comparison("===")
sql_strict_ne = _comparison("!==")
sql_lt = _comparison("<")
sql_le = _comparison("<=")
sql_gt = _comparison(">")
sql_ge = _comparison(">=")
