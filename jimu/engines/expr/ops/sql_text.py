"""SQL renderings of membership (``in in_list not_in_list``) and text (``contains not_contains
starts_with ends_with trim length replace left right cat substr``)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import sqlalchemy as sa

from jimu.engines.expr.ops.sql_base import (
    FALSE,
    Expr,
    _decimal_as_float,
    _exactly,
    _is_null,
    _not_null,
    _number,
)
from jimu.engines.expr.sql import SqlGen, SqlValue, bind, boolean
from jimu.engines.expr.sql_functions import (
    Greatest,
    RightChars,
    TextPosition,
    TrimChars,
    one_of,
)
from jimu.engines.expr.values import strict_eq


# -- membership ---------------------------------------------------------------------------------
def _member(
    gen: SqlGen, value: SqlValue, options: list[Any], pointer: str, *, where: bool = False
) -> Expr:
    """``value`` is one of ``options``; with ``where``, may be NULL where false (no IS NOT NULL
    guard, so an index on the column serves it)."""
    if value.is_const:
        return sa.true() if any(strict_eq(value.const, o) for o in options) else sa.false()
    if value.kind not in ("number", "text", "boolean", "date"):
        gen.refuse(pointer, f"membership of a {value.kind} has no SQL form")
    same = [o for o in options if _same_kind(value.kind, o)]
    tests: list[Expr] = []
    if same:
        member = one_of(_decimal_as_float(value.expr), same)
        tests.append(member if where else sa.and_(_not_null(value), member))
    if any(o is None for o in options):
        tests.append(_is_null(value))
    return sa.or_(*tests) if tests else sa.false()


def _membership(gen: SqlGen, value: SqlValue, options: list[Any], pointer: str) -> SqlValue:
    return boolean(
        _member(gen, value, options, pointer),
        _member(gen, value, options, pointer, where=True),
    )


def _same_kind(kind: str, option: Any) -> bool:
    cls = option.__class__
    if kind == "number":
        return cls in (int, float)
    if kind == "text":
        return cls is str
    if kind == "boolean":
        return cls is bool
    return kind == "date" and isinstance(option, date) and not isinstance(option, datetime)


def _options(gen: SqlGen, value: SqlValue, pointer: str) -> list[Any] | None:
    if value.is_const and value.const.__class__ is list:
        return list(value.const)
    if value.is_const and value.const is None:
        return None
    gen.refuse(pointer, "the list must be a literal or a context value")


def sql_in_list(gen: SqlGen, args: Any, pointer: str) -> SqlValue:
    value, options = _exactly(gen, args, pointer, 2)
    listed = _options(gen, options, pointer)
    return _membership(gen, value, listed, pointer) if listed is not None else FALSE


def sql_not_in_list(gen: SqlGen, args: Any, pointer: str) -> SqlValue:
    return SqlValue(sa.not_(sql_in_list(gen, args, pointer).expr), "boolean", False)


def sql_in(gen: SqlGen, args: Any, pointer: str) -> SqlValue:
    needle, haystack = _exactly(gen, args, pointer, 2)
    if haystack.is_const and haystack.const.__class__ is list:
        return _membership(gen, needle, haystack.const, pointer)
    if haystack.kind == "text" and needle.kind == "text":
        if needle.nullable and not needle.is_const:
            return boolean(sa.and_(_not_null(needle), _contains(haystack, needle)))
        return boolean(_contains(haystack, needle))
    if haystack.kind == "null":
        return FALSE
    gen.refuse(pointer, "in needs a literal list, or text in text")


# -- text ---------------------------------------------------------------------------------------
def _text_args(gen: SqlGen, args: Any, pointer: str, count: int) -> list[SqlValue]:
    items = _exactly(gen, args, pointer, count)
    for item in items:
        if item.kind not in ("text", "null"):
            gen.refuse(pointer, f"a {item.kind} written as text differs between Python and SQL")
    return items


def _contains(text: SqlValue, part: SqlValue) -> Expr:
    return TextPosition(text.expr, part.expr) > 0


def sql_contains(gen: SqlGen, args: Any, pointer: str) -> SqlValue:
    text, part = _text_args(gen, args, pointer, 2)
    return boolean(_contains(text, part))


def sql_not_contains(gen: SqlGen, args: Any, pointer: str) -> SqlValue:
    return SqlValue(sa.not_(sql_contains(gen, args, pointer).expr), "boolean", False)


def sql_starts_with(gen: SqlGen, args: Any, pointer: str) -> SqlValue:
    text, prefix = _text_args(gen, args, pointer, 2)
    if "null" in (text.kind, prefix.kind):
        return FALSE  # Python: null starts with nothing and is no prefix
    head = sa.func.substr(text.expr, 1, sa.func.length(prefix.expr))
    return boolean(head == prefix.expr)


def sql_ends_with(gen: SqlGen, args: Any, pointer: str) -> SqlValue:
    text, suffix = _text_args(gen, args, pointer, 2)
    if "null" in (text.kind, suffix.kind):
        return FALSE
    size, part = sa.func.length(text.expr), sa.func.length(suffix.expr)
    tail = sa.func.substr(text.expr, size - part + 1)
    return boolean(sa.and_(size >= part, tail == suffix.expr))


def sql_trim(gen: SqlGen, args: Any, pointer: str) -> SqlValue:
    from jimu.engines.expr.ops.strings import TRIMMED

    (text,) = _text_args(gen, args, pointer, 1)
    return SqlValue(TrimChars(text.expr, sa.literal(TRIMMED)), "text", text.nullable)


def sql_length(gen: SqlGen, args: Any, pointer: str) -> SqlValue:
    (text,) = _text_args(gen, args, pointer, 1)
    return _number(sa.func.coalesce(sa.func.length(text.expr), 0), True)


def sql_replace(gen: SqlGen, args: Any, pointer: str) -> SqlValue:
    text, old, new = _text_args(gen, args, pointer, 3)
    if not (old.is_const and new.is_const and old.kind == "text" and new.kind == "text"):
        gen.refuse(pointer, "replace needs literal texts to find and to put")
    return SqlValue(sa.func.replace(text.expr, old.expr, new.expr), "text", text.nullable)


def _count(gen: SqlGen, value: SqlValue, pointer: str) -> int:
    if not value.is_const or value.const.__class__ is not int:
        gen.refuse(pointer, "the number of characters must be a literal whole number")
    return max(0, int(value.const))


def sql_left(gen: SqlGen, args: Any, pointer: str) -> SqlValue:
    items = _exactly(gen, args, pointer, 2)
    (text,) = _text_args(gen, [args[0]], pointer, 1)
    n = _count(gen, items[1], pointer)
    return SqlValue(sa.func.substr(text.expr, 1, n), "text", text.nullable)


def sql_right(gen: SqlGen, args: Any, pointer: str) -> SqlValue:
    items = _exactly(gen, args, pointer, 2)
    (text,) = _text_args(gen, [args[0]], pointer, 1)
    n = _count(gen, items[1], pointer)
    if n == 0:
        expr: Expr = sa.case((_is_null(text), sa.null()), else_=sa.literal(""))
        return SqlValue(expr, "text", text.nullable)
    return SqlValue(RightChars(text.expr, sa.literal(n)), "text", text.nullable)


def sql_cat(gen: SqlGen, args: Any, pointer: str) -> SqlValue:
    items = gen.args(args if args.__class__ is list else [args], pointer)
    parts: list[Expr] = []
    for item in items:
        if item.kind == "null":
            continue
        if item.kind != "text":
            gen.refuse(pointer, f"a {item.kind} written as text differs between Python and SQL")
        parts.append(sa.func.coalesce(item.expr, "") if item.nullable else item.expr)
    if not parts:
        return bind("")
    expr = parts[0]
    for part in parts[1:]:
        expr = expr.op("||")(part)
    return SqlValue(sa.type_coerce(expr, sa.Text()), "text", False)


def _position(gen: SqlGen, value: SqlValue, pointer: str) -> int | None:
    """A literal start or length as ``substr`` reads it (``int(to_number(x))``); ``None`` for
    null. Clamped to ±10**9 (further than any text reaches, and within SQL's integers)."""
    from jimu.engines.expr.values import to_number

    if not value.is_const or value.const.__class__ not in (int, float, type(None)):
        gen.refuse(pointer, "substr's position and length must be literal numbers")
    if value.const is None:
        return None
    return max(-(10**9), min(10**9, int(to_number(value.const))))


def sql_substr(gen: SqlGen, args: Any, pointer: str) -> SqlValue:
    """JavaScript's ``substr(start, length)``: a negative start counts from the end, a
    negative length stops that many characters before the end; null text is ``""``."""
    items = gen.args(args, pointer)
    if not 2 <= len(items) <= 3:
        gen.refuse(pointer, "substr takes a text, a start and a length")
    (text,) = _text_args(gen, [args[0]], pointer, 1)
    # The positions are checked first: Python fails on a bad one even when the text is null.
    start = _position(gen, items[1], pointer) or 0
    count = _position(gen, items[2], pointer) if len(items) == 3 else None
    if text.kind == "null":
        return bind("")
    whole = sa.func.coalesce(text.expr, "") if text.nullable else text.expr
    size = sa.func.length(whole)
    begin: Expr = sa.literal(start) if start >= 0 else Greatest(0, size + start)
    if count is None:
        return SqlValue(sa.func.substr(whole, begin + 1), "text", False)
    span: Expr = sa.literal(count) if count >= 0 else Greatest(0, size + count - begin)
    return SqlValue(sa.func.substr(whole, begin + 1, span), "text", False)
