"""SQL renderings of arithmetic: ``+ - * / % max min sum abs round floor ceil avg``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa

from jimu.engines.expr.ops.sql_base import (
    Expr,
    _as_number,
    _decimal_as_float,
    _is_null,
    _number,
    _numeric,
)
from jimu.engines.expr.sql import SqlGen, SqlValue, bind
from jimu.engines.expr.sql_calendar import Ceil, Floor
from jimu.engines.expr.sql_functions import (
    Greatest,
    Least,
)


# -- arithmetic ---------------------------------------------------------------------------------
def _numbers(gen: SqlGen, args: Any, pointer: str) -> list[SqlValue]:
    if args.__class__ is not list:
        args = [args]
    items = gen.args(args, pointer)
    for item in items:
        if not (_numeric(item) or item.kind == "null"):
            gen.refuse(
                pointer,
                f"arithmetic on a {item.kind} has no faithful SQL form "
                "(Python converts text to numbers and fails on other text)",
            )
    return items


def _all_int(items: list[SqlValue]) -> bool:
    return all(i.integer or i.kind in ("boolean", "null") for i in items)


def _fold(
    gen: SqlGen, args: Any, pointer: str, combine: Callable[[Expr, Expr], Expr], empty: int
) -> SqlValue:
    items = _numbers(gen, args, pointer)
    if not items:
        return bind(empty)
    expr = _as_number(items[0])
    for item in items[1:]:
        expr = combine(expr, _as_number(item))
    return _number(expr, _all_int(items))


def sql_add(gen: SqlGen, args: Any, pointer: str) -> SqlValue:
    return _fold(gen, args, pointer, lambda a, b: a + b, 0)


def sql_multiply(gen: SqlGen, args: Any, pointer: str) -> SqlValue:
    return _fold(gen, args, pointer, lambda a, b: a * b, 1)


def sql_subtract(gen: SqlGen, args: Any, pointer: str) -> SqlValue:
    items = _numbers(gen, args, pointer)
    if not items:
        gen.refuse(pointer, "- needs at least one argument")
    if len(items) == 1:
        return _number(-_as_number(items[0]), _all_int(items))
    return _fold(gen, args, pointer, lambda a, b: a - b, 0)


def _nonzero_divisors(gen: SqlGen, items: list[SqlValue], pointer: str) -> None:
    from jimu.engines.expr.values import to_number

    for item in items:
        if not item.is_const or to_number(item.const) == 0:
            gen.refuse(
                pointer,
                "division by a field (which may be 0, an error in Python) has "
                "no faithful SQL form; divide by a non-zero number",
            )


def sql_divide(gen: SqlGen, args: Any, pointer: str) -> SqlValue:
    items = _numbers(gen, args, pointer)
    if len(items) < 2:
        gen.refuse(pointer, "/ needs a dividend and a divisor in SQL")
    _nonzero_divisors(gen, items[1:], pointer)
    expr: Expr = sa.cast(_as_number(items[0]), sa.Float)
    for item in items[1:]:
        expr = expr / sa.cast(_as_number(item), sa.Float)
    return _number(expr, False)


def sql_modulo(gen: SqlGen, args: Any, pointer: str) -> SqlValue:
    items = _numbers(gen, args, pointer)
    if len(items) < 2:
        gen.refuse(pointer, "% needs at least two arguments")
    if not _all_int(items):
        gen.refuse(pointer, "% of non-integers differs between SQLite and PostgreSQL")
    _nonzero_divisors(gen, items[1:], pointer)
    expr = _as_number(items[0])
    for item in items[1:]:
        expr = expr % _as_number(item)
    return _number(expr, True)


def _extreme(gen: SqlGen, args: Any, pointer: str, fn: type[Greatest] | type[Least]) -> SqlValue:
    items = _numbers(gen, args, pointer)
    if not items:
        return bind(None)
    if len(items) == 1:
        return _number(_as_number(items[0]), _all_int(items))
    return _number(fn(*(_as_number(i) for i in items)), _all_int(items))


def sql_max(gen: SqlGen, args: Any, pointer: str) -> SqlValue:
    return _extreme(gen, args, pointer, Greatest)


def sql_min(gen: SqlGen, args: Any, pointer: str) -> SqlValue:
    return _extreme(gen, args, pointer, Least)


def sql_abs(gen: SqlGen, args: Any, pointer: str) -> SqlValue:
    numbers = _numbers(gen, args, pointer)
    if len(numbers) != 1:
        gen.refuse(pointer, "abs takes one argument")
    (value,) = numbers
    if value.kind == "text":
        gen.refuse(pointer, "abs of text")
    expr = value.expr
    expr = sa.cast(expr, sa.Integer) if value.kind == "boolean" else _decimal_as_float(expr)
    return SqlValue(sa.func.abs(expr), "number", value.nullable, value.integer)


# -- rounding and averages ----------------------------------------------------------------------
def _float_of(value: SqlValue) -> Expr:
    """A number as double precision, NULL kept (``round(null)`` is null, not 0)."""
    if value.is_const:
        from jimu.engines.expr.values import to_number

        return sa.literal(float(to_number(value.const)), sa.Float())
    if value.kind == "boolean":
        return sa.cast(sa.cast(value.expr, sa.Integer), sa.Float)
    return sa.cast(value.expr, sa.Float)


def _one_number(gen: SqlGen, args: Any, pointer: str, name: str) -> SqlValue:
    items = _numbers(gen, args, pointer)
    if len(items) != 1:
        gen.refuse(pointer, f"{name} takes one argument")
    return items[0]


def _places(gen: SqlGen, items: list[SqlValue], pointer: str) -> int:
    from jimu.engines.expr.values import to_number

    if len(items) == 1:
        return 0
    digits = items[1]
    if not digits.is_const or digits.const.__class__ not in (int, float):
        gen.refuse(pointer, "the number of decimals must be a literal number")
    places = int(to_number(digits.const))
    if not -15 <= places <= 15:
        gen.refuse(pointer, "round to between -15 and 15 decimals in SQL")
    return places


def _rounded_float(x: Expr, places: int) -> Expr:
    """``arithmetic.round_to`` on a float: half away from zero on the number as written.

    With ``a = |x|`` and ``k = floor(a·10^places)``, the number as written reaches the half
    way point ``(k + ½)/10^places`` exactly when ``a`` is at least the float nearest to it,
    which one correctly rounded division gives. Beyond 15 significant digits (or 2**52) the
    value is returned as it is, as ``round_to`` does.
    """
    from jimu.engines.expr.ops.arithmetic import EXACT_LIMIT, ROUNDING_LIMIT

    size = sa.func.abs(x)
    scale = sa.literal(10.0 ** abs(places), sa.Float())
    scaled = size * scale if places >= 0 else size / scale
    whole = Floor(scaled)
    half = (whole + 0.5) / scale if places >= 0 else (whole + 0.5) * scale
    count = whole + sa.case((size >= half, 1), else_=0)
    magnitude = count / scale if places >= 0 else count * scale
    signed = sa.case((x < 0, -magnitude), else_=magnitude)
    too_precise = sa.or_(scaled >= ROUNDING_LIMIT, size >= EXACT_LIMIT)
    return sa.case((too_precise, x), else_=signed)


def _rounded_integer(x: Expr, places: int) -> Expr:
    """Whole numbers: unchanged for ``places >= 0``; else half away from zero in integers."""
    if places >= 0:
        return x
    step = 10 ** (-places)
    size = sa.func.abs(x)
    magnitude = ((size + step // 2) // step) * step  # size >= 0: floor is truncation
    return sa.case((x < 0, -magnitude), else_=magnitude)


def sql_round(gen: SqlGen, args: Any, pointer: str) -> SqlValue:
    items = _numbers(gen, args, pointer)
    if not 1 <= len(items) <= 2:
        gen.refuse(pointer, "round takes a number and the number of decimals")
    value, places = items[0], _places(gen, items, pointer)
    if value.kind == "null":
        return bind(None)
    if value.integer or value.kind == "boolean":
        whole = sa.cast(value.expr, sa.Integer) if value.kind == "boolean" else value.expr
        return SqlValue(_rounded_integer(whole, places), "number", value.nullable, True)
    return SqlValue(_rounded_float(_float_of(value), places), "number", value.nullable)


def _floor_or_ceil(
    gen: SqlGen, args: Any, pointer: str, element: type[Floor] | type[Ceil]
) -> SqlValue:
    value = _one_number(gen, args, pointer, element.name)
    if value.kind == "null":
        return bind(None)
    if value.integer:
        return value
    if value.kind == "boolean":
        return SqlValue(sa.cast(value.expr, sa.Integer), "number", value.nullable, True)
    return SqlValue(element(_float_of(value)), "number", value.nullable)


def sql_floor(gen: SqlGen, args: Any, pointer: str) -> SqlValue:
    return _floor_or_ceil(gen, args, pointer, Floor)


def sql_ceil(gen: SqlGen, args: Any, pointer: str) -> SqlValue:
    return _floor_or_ceil(gen, args, pointer, Ceil)


def sql_avg(gen: SqlGen, args: Any, pointer: str) -> SqlValue:
    """The mean of the arguments that are not null; null when all are."""
    items = [i for i in _numbers(gen, args, pointer) if i.kind != "null"]
    if not items:
        return bind(None)
    total = _as_number(items[0])
    for item in items[1:]:
        total = total + _as_number(item)
    present: Expr = sa.literal(0)
    for item in items:
        present = present + sa.case((_is_null(item), 0), else_=1)
    average = sa.cast(total, sa.Float) / sa.cast(sa.func.nullif(present, 0), sa.Float)
    return SqlValue(average, "number", any(i.nullable for i in items))
